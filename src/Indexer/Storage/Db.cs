using System.Data.Common;

namespace ProverMarketChain.Indexer.Storage;

/// <summary>Small ADO.NET helpers shared by the store and the queries (one spelling for both engines).</summary>
internal static class Db
{
    /// <summary>Adds a parameter; a null value is sent as SQL NULL.</summary>
    public static void Add(DbCommand cmd, string name, object? value)
    {
        var p = cmd.CreateParameter();
        p.ParameterName = name;
        p.Value = value ?? DBNull.Value;
        cmd.Parameters.Add(p);
    }

    /// <summary>A command on <paramref name="c"/> in <paramref name="tx"/>.</summary>
    public static DbCommand Command(DbConnection c, DbTransaction? tx, string sql)
    {
        var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        return cmd;
    }

    /// <summary>A nullable string column.</summary>
    public static string? Str(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    /// <summary>A nullable 64-bit column.</summary>
    public static long? Long(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetInt64(i);
}
