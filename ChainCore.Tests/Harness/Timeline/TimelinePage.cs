using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace ChainCore.Tests.Harness.Timeline;

/// <summary>
/// The failure timeline as one self-contained HTML page, as Jepsen draws a history: one lane per
/// node and miner and one for the test's steps, every mark on one time axis; partitions shaded across
/// the lanes, a stopped node's lane shaded until it restarts. Hovering a mark says what it is; clicking
/// it shows the log lines of its lane around it (or every source's). Zoom buttons widen the axis and the
/// page scrolls sideways. Inline CSS and script only, so it opens from the file system; every text from
/// the test (log lines, peer names) is escaped; the events and log lines embedded are capped, and the
/// page says so when they are. Stable hooks: each lane is <c>g.lane[data-lane=NAME]</c> (and
/// <c>.lane-label[data-lane=NAME]</c>), each mark <c>.mark[data-kind][data-lane]</c>, bands
/// <c>.band[data-kind=partition|down]</c>, the capped notice <c>#capped</c>, the log of a clicked mark <c>#details-log</c>.
/// </summary>
public static class TimelinePage
{
    public const int MaxEvents = TimelineRecorder.DefaultCapacity;

    public const int MaxLogLines = 20_000;

    private const int MaxLineLength = 2_000;

    /// <summary>Characters of log text the page embeds at most, whatever the line count: the page stays a few megabytes.</summary>
    private const int MaxLogCharacters = 4_000_000;
    private const int LaneHeight = 34;
    private const int AxisHeight = 26;
    private const int PlotWidth = 1_200;

    private static readonly JsonSerializerOptions Json = new()
    {
        // The default encoder escapes <, >, &, quotes and non-ASCII: nothing in the data can close the script element.
        Encoder = JavaScriptEncoder.Default,
    };

    /// <summary>The page for <paramref name="timeline"/>, with <paramref name="log"/> (the merged log's numbered lines) to show around marks; <paramref name="redact"/> is applied to every text.</summary>
    public static string Render(
        TimelineSnapshot timeline,
        IReadOnlyList<(long Number, string Text)> log,
        string title,
        Func<string, string>? redact = null,
        int maxEvents = MaxEvents,
        int maxLogLines = MaxLogLines)
    {
        ArgumentNullException.ThrowIfNull(timeline);
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(title);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxEvents);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxLogLines);
        redact ??= text => text;

        var events = timeline.Events.Count > maxEvents ? timeline.Events.Skip(timeline.Events.Count - maxEvents).ToList() : timeline.Events;
        var droppedEvents = timeline.Dropped + (timeline.Events.Count - events.Count);
        var lines = Latest(log, maxLogLines);
        var droppedLines = log.Count - lines.Count;

        var lanes = timeline.Lanes.Concat(events.Select(e => e.Lane)).Distinct(StringComparer.Ordinal).ToList();
        var laneIndex = lanes.Select((l, i) => (l, i)).ToDictionary(p => p.l, p => p.i, StringComparer.Ordinal);
        var start = events.Count > 0 ? (events[0].Time < timeline.Started ? events[0].Time : timeline.Started) : timeline.Started;
        var end = events.Count > 0 ? events[^1].Time : start;
        var duration = Math.Max(1_000, (end - start).TotalMilliseconds);
        double T(DateTime time) => Math.Round((time - start).TotalMilliseconds, 1);
        double X(double t) => Math.Round(t / duration * PlotWidth, 1);
        double Y(string lane, string kind) => AxisHeight + (laneIndex[lane] * LaneHeight) + (LaneHeight / 2.0) + Row(kind);

        var marks = Classify(events);
        var height = AxisHeight + (lanes.Count * LaneHeight) + 4;
        var page = new StringBuilder(64 * 1024 + events.Count * 300);
        page.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Timeline: ").Append(Escape(redact(title))).Append("</title>\n<style>").Append(Css).Append("</style></head>\n<body>\n");
        page.Append("<h1>Timeline of a failed test</h1>\n<p id=\"test-name\">").Append(Escape(redact(title))).Append("</p>\n");
        page.Append(CultureInfo.InvariantCulture, $"<p id=\"summary\">{lanes.Count} lanes, {events.Count} events over {duration / 1000:0.###} s, from {start:yyyy-MM-dd HH:mm:ss.fff} UTC. Hover a mark to see what it is, click it for the log lines of its lane around it.</p>\n");
        if (droppedEvents > 0 || droppedLines > 0)
        {
            page.Append("<p id=\"capped\" class=\"capped\">");
            if (droppedEvents > 0)
            {
                page.Append(CultureInfo.InvariantCulture, $"Capped: the {droppedEvents} earliest events are left out (at most {maxEvents} are kept). ");
            }

            if (droppedLines > 0)
            {
                page.Append(CultureInfo.InvariantCulture, $"The {droppedLines} earliest log lines are left out of this page (at most {maxLogLines} lines, {MaxLogCharacters / 1_000_000} MB); nodes.log has the log the test kept.");
            }

            page.Append("</p>\n");
        }

        page.Append("<div id=\"toolbar\"><button id=\"zoom-out\" type=\"button\">−</button><button id=\"zoom-fit\" type=\"button\">fit</button><button id=\"zoom-in\" type=\"button\">+</button> <span id=\"zoom-level\">1×</span><span id=\"legend\">");
        foreach (var kind in marks.Select(m => m.Kind).Distinct().Order(StringComparer.Ordinal))
        {
            page.Append("<span class=\"legend-item\"><svg width=\"12\" height=\"12\"><circle class=\"k-").Append(kind).Append("\" cx=\"6\" cy=\"6\" r=\"5\"/></svg>").Append(kind.Replace('-', ' ')).Append(CultureInfo.InvariantCulture, $" ({marks.Count(m => m.Kind == kind)})</span>");
        }

        page.Append("</span></div>\n<div id=\"chart\"><div id=\"labels\" style=\"padding-top:").Append(AxisHeight).Append("px\">");
        foreach (var lane in lanes)
        {
            page.Append("<div class=\"lane-label\" data-lane=\"").Append(Escape(lane)).Append("\" style=\"height:").Append(LaneHeight).Append("px;line-height:").Append(LaneHeight).Append("px\">").Append(Escape(lane)).Append("</div>");
        }

        page.Append("</div>\n<div id=\"scroller\"><svg id=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" width=\"").Append(PlotWidth + 20).Append("\" height=\"").Append(height)
            .Append(CultureInfo.InvariantCulture, $"\" data-plot-width=\"{PlotWidth}\" data-duration=\"{duration}\" data-lane-height=\"{LaneHeight}\" data-axis-height=\"{AxisHeight}\" data-start=\"{start:O}\">\n");
        page.Append("<g id=\"axis\"></g>\n");
        foreach (var lane in lanes)
        {
            var top = AxisHeight + (laneIndex[lane] * LaneHeight);
            page.Append("<g class=\"lane\" data-lane=\"").Append(Escape(lane)).Append("\"><rect class=\"lane-bg\" x=\"0\" y=\"").Append(top).Append("\" width=\"").Append(PlotWidth + 20).Append("\" height=\"").Append(LaneHeight).Append("\"/>");
            foreach (var (from, to, label) in DownPeriods(events, lane, end))
            {
                page.Append(CultureInfo.InvariantCulture, $"<rect class=\"band down\" data-kind=\"down\" data-lane=\"{Escape(lane)}\" data-t=\"{T(from)}\" data-t2=\"{T(to)}\" x=\"{X(T(from))}\" y=\"{top + 2}\" width=\"{Math.Max(2, X(T(to)) - X(T(from)))}\" height=\"{LaneHeight - 4}\"><title>{Escape(redact(label))}</title></rect>");
            }

            page.Append("</g>\n");
        }

        foreach (var (from, to, label) in Partitions(events, end))
        {
            page.Append(CultureInfo.InvariantCulture, $"<rect class=\"band partition\" data-kind=\"partition\" data-t=\"{T(from)}\" data-t2=\"{T(to)}\" x=\"{X(T(from))}\" y=\"{AxisHeight}\" width=\"{Math.Max(2, X(T(to)) - X(T(from)))}\" height=\"{lanes.Count * LaneHeight}\"><title>{Escape(redact(label))}</title></rect>\n");
        }

        page.Append("<g id=\"marks\">\n");
        for (var i = 0; i < marks.Count; i++)
        {
            var (e, kind) = marks[i];
            var t = T(e.Time);
            var label = $"{e.Time:HH:mm:ss.fff} {e.Lane}: {Cut(redact(e.Label))}";
            page.Append(Shape(kind) == "rect"
                ? string.Create(CultureInfo.InvariantCulture, $"<rect class=\"mark k-{kind}\" x=\"{X(t) - 4}\" y=\"{Y(e.Lane, kind) - 4}\" width=\"8\" height=\"8\"")
                : string.Create(CultureInfo.InvariantCulture, $"<circle class=\"mark k-{kind}\" cx=\"{X(t)}\" cy=\"{Y(e.Lane, kind)}\" r=\"{Radius(kind)}\""));
            page.Append(CultureInfo.InvariantCulture, $" data-i=\"{i}\" data-kind=\"{kind}\" data-lane=\"{Escape(e.Lane)}\" data-t=\"{t}\"><title>{Escape(label)}</title></{Shape(kind)}>\n");
        }

        page.Append("</g>\n</svg></div></div>\n");
        page.Append("<section id=\"details\"><h2 id=\"details-title\">Click a mark</h2><label><input type=\"checkbox\" id=\"all-sources\"> every source's lines</label><pre id=\"details-log\"></pre></section>\n");

        var data = new
        {
            events = marks.Select(m => new { t = T(m.Event.Time), time = m.Event.Time.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture), lane = m.Event.Lane, kind = m.Kind, label = Cut(redact(m.Event.Label)), line = m.Event.LogLine }),
            log = lines.Select(l => new object[] { l.Number, SourceOf(l.Text), Cut(redact(l.Text)) }),
        };
        page.Append("<script type=\"application/json\" id=\"timeline-data\">").Append(JsonSerializer.Serialize(data, Json)).Append("</script>\n");
        page.Append("<script>").Append(Script).Append("</script>\n</body></html>\n");
        return page.ToString();
    }

    /// <summary>
    /// Each event with the kind it is drawn as. A block a node connected is "block-mined" if that node
    /// (or its miner) mined it, else "block-received"; the harness's own mined record of a block the
    /// node's chain also reported is not drawn twice. Partitions and heals are drawn as bands.
    /// </summary>
    private static List<(TimelineEvent Event, string Kind)> Classify(IReadOnlyList<TimelineEvent> events)
    {
        var minedOn = events.Where(e => e.Kind == TimelineKind.BlockMined && e.Block is not null)
            .Select(e => (Lane: e.Node ?? e.Lane, Block: e.Block!)).ToHashSet();
        var connected = events.Where(e => e.Kind == TimelineKind.BlockConnected && e.Block is not null).Select(e => (e.Lane, Block: e.Block!)).ToHashSet();
        var marks = new List<(TimelineEvent, string)>(events.Count);
        foreach (var e in events)
        {
            switch (e.Kind)
            {
                case TimelineKind.Partition or TimelineKind.Heal:
                    continue;
                case TimelineKind.BlockMined when e.Node is null && e.Block is not null && connected.Contains((e.Lane, e.Block)):
                    continue;
                case TimelineKind.BlockConnected:
                    marks.Add((e, e.Block is not null && minedOn.Contains((e.Lane, e.Block)) ? "block-mined" : "block-received"));
                    continue;
                default:
                    marks.Add((e, KindName(e.Kind)));
                    continue;
            }
        }

        return marks;
    }

    private static string KindName(TimelineKind kind) => kind switch
    {
        TimelineKind.TipMoved => "tip",
        _ => string.Concat(kind.ToString().Select((c, i) => char.IsUpper(c) && i > 0 ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString())),
    };

    private static string Shape(string kind) => kind is "block-refused" or "refused" or "error" or "warning" or "peer-banned" or "unreachable" ? "rect" : "circle";

    /// <summary>Within a lane, blocks above, the node's own state in the middle, peers and complaints below: marks of one moment stay apart.</summary>
    private static double Row(string kind) => kind switch
    {
        "block-mined" or "block-received" or "block-disconnected" or "block-refused" => -9,
        "peer-connected" or "peer-disconnected" or "peer-banned" or "catch-up" or "refused" or "warning" or "error" or "unreachable" => 9,
        _ => 0,
    };

    private static double Radius(string kind) => kind switch
    {
        "step" or "node-stopped" or "node-started" or "node-restarted" or "reorg" => 6,
        "note" or "peer-connected" or "peer-disconnected" => 3.5,
        _ => 5,
    };

    private static IEnumerable<(DateTime From, DateTime To, string Label)> Partitions(IReadOnlyList<TimelineEvent> events, DateTime end)
    {
        TimelineEvent? open = null;
        foreach (var e in events)
        {
            if (e.Kind == TimelineKind.Partition)
            {
                if (open is not null)
                {
                    yield return (open.Time, e.Time, open.Label);
                }

                open = e;
            }
            else if (e.Kind == TimelineKind.Heal && open is not null)
            {
                yield return (open.Time, e.Time, open.Label + " (healed " + e.Time.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture) + ")");
                open = null;
            }
        }

        if (open is not null)
        {
            yield return (open.Time, end, open.Label + " (not healed)");
        }
    }

    private static IEnumerable<(DateTime From, DateTime To, string Label)> DownPeriods(IReadOnlyList<TimelineEvent> events, string lane, DateTime end)
    {
        DateTime? stopped = null;
        foreach (var e in events.Where(e => e.Lane == lane))
        {
            if (e.Kind == TimelineKind.NodeStopped)
            {
                stopped ??= e.Time;
            }
            else if (e.Kind is TimelineKind.NodeStarted or TimelineKind.NodeRestarted && stopped is { } from)
            {
                yield return (from, e.Time, $"{lane} down until {e.Time:HH:mm:ss.fff}");
                stopped = null;
            }
        }

        if (stopped is { } last)
        {
            yield return (last, end, $"{lane} down");
        }
    }

    /// <summary>The latest lines, at most <paramref name="max"/> of them and <see cref="MaxLogCharacters"/> of text.</summary>
    private static List<(long Number, string Text)> Latest(IReadOnlyList<(long Number, string Text)> log, int max)
    {
        var kept = new List<(long, string)>();
        var characters = 0L;
        for (var i = log.Count - 1; i >= 0 && kept.Count < max; i--)
        {
            characters += Math.Min(log[i].Text.Length, MaxLineLength);
            if (characters > MaxLogCharacters)
            {
                break;
            }

            kept.Add(log[i]);
        }

        kept.Reverse();
        return kept;
    }

    /// <summary>A merged log line's source: its second word (<c>HH:mm:ss.fff node-1 INF …</c>).</summary>
    private static string SourceOf(string line)
    {
        var first = line.IndexOf(' ', StringComparison.Ordinal);
        var second = first < 0 ? -1 : line.IndexOf(' ', first + 1);
        return second < 0 ? string.Empty : line[(first + 1)..second];
    }

    private static string Cut(string text) => text.Length <= MaxLineLength ? text : text[..MaxLineLength] + " …";

    private static string Escape(string text) => WebUtility.HtmlEncode(text);

    private const string Css = """
        body { font: 13px/1.4 system-ui, sans-serif; margin: 12px; color: #222; }
        h1 { font-size: 18px; margin: 0 0 4px; } h2 { font-size: 14px; margin: 0 0 6px; }
        #test-name { font-family: monospace; margin: 0 0 4px; }
        .capped { background: #fff3cd; border: 1px solid #e0c060; padding: 4px 8px; }
        #toolbar { margin: 6px 0; } #toolbar button { min-width: 32px; }
        .legend-item { margin-left: 12px; white-space: nowrap; } .legend-item svg { vertical-align: middle; margin-right: 3px; }
        #chart { display: flex; border: 1px solid #ccc; }
        #labels { flex: 0 0 110px; border-right: 1px solid #ccc; background: #fafafa; }
        .lane-label { font-family: monospace; padding-left: 6px; overflow: hidden; white-space: nowrap; border-bottom: 1px solid #eee; box-sizing: border-box; }
        #scroller { overflow-x: auto; flex: 1 1 auto; }
        .lane-bg { fill: #fff; stroke: #eee; } .lane:nth-of-type(even) .lane-bg { fill: #f8f9fb; }
        .band.partition { fill: rgba(220, 60, 60, 0.10); stroke: rgba(220, 60, 60, 0.5); stroke-dasharray: 4 3; }
        .band.down { fill: rgba(60, 60, 60, 0.18); }
        .tick line { stroke: #ddd; } .tick text { font-size: 10px; fill: #666; }
        .mark { cursor: pointer; stroke: #333; stroke-width: 0.5; } .mark:hover, .mark.selected { stroke: #000; stroke-width: 2.5; }
        .k-note { fill: #bbb; } .k-step { fill: #6f42c1; }
        .k-node-started, .k-node-restarted { fill: #2e7d32; } .k-node-stopped { fill: #111; }
        .k-tip { fill: #1e88e5; } .k-reorg { fill: #ff6f00; }
        .k-block-mined { fill: #fbc02d; } .k-block-received { fill: #80cbc4; } .k-block-disconnected { fill: #ce93d8; }
        .k-block-refused, .k-refused, .k-error, .k-peer-banned { fill: #d32f2f; } .k-warning, .k-unreachable { fill: #fb8c00; }
        .k-peer-connected { fill: #a5d6a7; } .k-peer-disconnected { fill: #ef9a9a; } .k-catch-up { fill: #5c6bc0; }
        #details { margin-top: 10px; } #details-log { background: #f6f8fa; border: 1px solid #ddd; padding: 6px; max-height: 420px; overflow: auto; white-space: pre-wrap; }
        #details-log .hit { background: #fff59d; display: block; }
        """;

    private const string Script = """
        (function () {
          'use strict';
          var data = JSON.parse(document.getElementById('timeline-data').textContent);
          var svg = document.getElementById('timeline');
          var W = +svg.dataset.plotWidth, D = +svg.dataset.duration, top = +svg.dataset.axisHeight;
          var start = new Date(svg.dataset.start).getTime();
          var zoom = 1, selected = null, current = -1;
          var NS = 'http://www.w3.org/2000/svg';
          function x(t) { return t / D * W * zoom; }
          function axis() {
            var g = document.getElementById('axis');
            while (g.firstChild) g.removeChild(g.firstChild);
            var steps = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 30000, 60000, 120000, 300000, 600000];
            var step = steps[steps.length - 1];
            for (var i = 0; i < steps.length; i++) { if (x(steps[i]) >= 90) { step = steps[i]; break; } }
            var height = +svg.getAttribute('height');
            for (var t = 0; t <= D; t += step) {
              var tick = document.createElementNS(NS, 'g'); tick.setAttribute('class', 'tick');
              var line = document.createElementNS(NS, 'line');
              line.setAttribute('x1', x(t)); line.setAttribute('x2', x(t)); line.setAttribute('y1', top - 6); line.setAttribute('y2', height);
              var text = document.createElementNS(NS, 'text');
              text.setAttribute('x', x(t) + 2); text.setAttribute('y', top - 9);
              text.textContent = '+' + (t >= 1000 ? (t / 1000) + ' s' : t + ' ms');
              var title = document.createElementNS(NS, 'title');
              title.textContent = new Date(start + t).toISOString().substring(11, 23) + ' UTC';
              tick.appendChild(line); tick.appendChild(text); tick.appendChild(title); g.appendChild(tick);
            }
          }
          function layout() {
            svg.setAttribute('width', W * zoom + 20);
            document.getElementById('zoom-level').textContent = zoom + '×';
            var all = svg.querySelectorAll('[data-t]');
            for (var i = 0; i < all.length; i++) {
              var el = all[i], t = +el.dataset.t;
              if (el.dataset.t2 !== undefined) {
                var x1 = x(t); el.setAttribute('x', x1); el.setAttribute('width', Math.max(2, x(+el.dataset.t2) - x1));
              } else if (el.tagName === 'circle') {
                el.setAttribute('cx', x(t));
              } else {
                el.setAttribute('x', x(t) - 4);
              }
            }
            var bgs = svg.querySelectorAll('.lane-bg');
            for (var j = 0; j < bgs.length; j++) bgs[j].setAttribute('width', W * zoom + 20);
            axis();
          }
          function setZoom(z, around) {
            var scroller = document.getElementById('scroller');
            var centre = (scroller.scrollLeft + scroller.clientWidth / 2) / zoom;
            zoom = Math.max(1, Math.min(256, z));
            layout();
            scroller.scrollLeft = (around !== undefined ? x(around) : centre * zoom) - scroller.clientWidth / 2;
          }
          function lineIndex(number) {
            var lo = 0, hi = data.log.length - 1, found = -1;
            while (lo <= hi) { var mid = (lo + hi) >> 1; if (data.log[mid][0] <= number) { found = mid; lo = mid + 1; } else { hi = mid - 1; } }
            return found;
          }
          function show(i) {
            current = i;
            var e = data.events[i];
            document.getElementById('details-title').textContent = e.time + ' ' + e.lane + ' — ' + e.kind.replace(/-/g, ' ') + ': ' + e.label;
            var every = document.getElementById('all-sources').checked;
            var at = lineIndex(e.line), before = [], after = [];
            for (var k = at; k >= 0 && before.length < (every ? 12 : 15); k--) { if (every || data.log[k][1] === e.lane) before.unshift(data.log[k]); }
            for (var m = at + 1; m < data.log.length && after.length < (every ? 8 : 10); m++) { if (every || data.log[m][1] === e.lane) after.push(data.log[m]); }
            var pre = document.getElementById('details-log');
            while (pre.firstChild) pre.removeChild(pre.firstChild);
            var lines = before.concat(after);
            if (lines.length === 0) { pre.textContent = '(no log lines of ' + e.lane + ' kept around this moment)'; return; }
            for (var n = 0; n < lines.length; n++) {
              var span = document.createElement('span');
              span.textContent = lines[n][2] + '\n';
              if (lines[n][0] === e.line) span.className = 'hit';
              pre.appendChild(span);
            }
          }
          svg.addEventListener('click', function (ev) {
            var mark = ev.target.closest ? ev.target.closest('.mark') : null;
            if (!mark) return;
            if (selected) selected.classList.remove('selected');
            selected = mark; mark.classList.add('selected');
            show(+mark.dataset.i);
          });
          document.getElementById('all-sources').addEventListener('change', function () { if (current >= 0) show(current); });
          document.getElementById('zoom-in').addEventListener('click', function () { setZoom(zoom * 2); });
          document.getElementById('zoom-out').addEventListener('click', function () { setZoom(zoom / 2); });
          document.getElementById('zoom-fit').addEventListener('click', function () { setZoom(1); });
          layout();
        })();
        """;
}
