namespace ChainCore.Node.Storage;

/// <summary>
/// The store's tables, as numbered migrations applied in order. Type names are written for
/// PostgreSQL; <see cref="ForSqlite"/> maps them, and a migration that SQLite cannot run as written
/// (it has no <c>alter column</c>) carries its own SQLite text. A new version appends a migration;
/// none is edited.
/// </summary>
internal static class Schema
{
    public static readonly IReadOnlyList<Migration> Migrations =
    [
        // 1: the initial schema.
        new("""
        create table if not exists blocks (
            hash bytea primary key,
            prev_hash bytea not null,
            height integer not null,
            header bytea not null,
            raw bytea not null,
            tx_count integer not null,
            size integer not null,
            time bigint not null,
            on_main_chain boolean not null default false,
            invalid boolean not null default false);
        create unique index if not exists blocks_main_chain_height on blocks (height) where on_main_chain;
        create table if not exists transactions (
            txid bytea primary key,
            block_hash bytea not null,
            block_height integer not null,
            position integer not null,
            raw bytea not null);
        create index if not exists transactions_block_hash on transactions (block_hash);
        create table if not exists utxos (
            txid bytea not null,
            vout integer not null,
            value bigint not null,
            pubkey_hash bytea not null,
            height integer not null,
            is_coinbase boolean not null,
            primary key (txid, vout));
        create index if not exists utxos_pubkey_hash on utxos (pubkey_hash);
        create table if not exists address_balances (
            pubkey_hash bytea primary key,
            balance bigint not null);
        -- The history index: one row per main-chain transaction and address it pays or spends from.
        create table if not exists address_transactions (
            pubkey_hash bytea not null,
            txid bytea not null,
            block_hash bytea not null,
            block_height integer not null,
            received bigint not null,
            spent bigint not null,
            primary key (pubkey_hash, txid));
        create index if not exists address_transactions_height on address_transactions (pubkey_hash, block_height);
        create table if not exists block_undo (
            block_hash bytea primary key,
            data bytea not null);
        create table if not exists nodes (
            node_id text primary key,
            url text not null,
            network text not null,
            last_seen bigint not null,
            score integer not null);
        create table if not exists mining_stats (
            block_hash bytea primary key,
            height integer not null,
            miner_address text not null,
            reward bigint not null,
            mined_at bigint not null);
        """),

        // 2: a transaction's bytes are already in its block's: rows written from now on keep only
        // where they are (offset and length in blocks.raw). Blocks and undo data are random bytes that
        // compression cannot shrink: store them out of line uncompressed, which also lets PostgreSQL
        // read a transaction's slice of its block without reading the whole block.
        new(
            """
            alter table transactions add column tx_offset integer, add column tx_length integer, alter column raw drop not null;
            alter table blocks alter column raw set storage external;
            alter table block_undo alter column data set storage external;
            """,
            Sqlite: """
            create table transactions_v2 (
                txid blob primary key,
                block_hash blob not null,
                block_height integer not null,
                position integer not null,
                raw blob,
                tx_offset integer,
                tx_length integer);
            insert into transactions_v2 (txid, block_hash, block_height, position, raw)
                select txid, block_hash, block_height, position, raw from transactions;
            drop table transactions;
            alter table transactions_v2 rename to transactions;
            create index if not exists transactions_block_hash on transactions (block_hash);
            """),

        // 3: peers are known by the address they proved they listen on, never by the name they
        // declare; bans (per address and per peer address) outlive a restart.
        new("""
        drop table if exists nodes;
        create table nodes (
            address text primary key,
            network text not null,
            last_success bigint not null);
        create table if not exists peer_bans (
            target text primary key,
            until bigint not null,
            reason text not null);
        """),

        // 4: the mempool is kept across a clean restart (Bitcoin Core's mempool.dat).
        new("""
        create table if not exists mempool (
            position integer primary key,
            raw bytea not null);
        """),
    ];

    public static int LatestVersion => Migrations.Count;

    public static string ForSqlite(string sql) => sql.Replace("bytea", "blob", StringComparison.Ordinal);

    /// <summary>One schema version's statements; <paramref name="Sqlite"/> replaces them on SQLite when set.</summary>
    internal sealed record Migration(string Postgres, string? Sqlite = null);
}
