namespace SkDiffusion.ModelBuilder.Graph;

/// <summary>
/// Writes the attention of one layer into the graph: rotary embedding on the projected queries and keys, the key-padding
/// mask, the past/present cache and the weighted sum of values. The projections themselves are written by the caller.
/// </summary>
internal abstract class AttentionWriter
{
    /// <summary>
    /// Writes the attention of <paramref name="layer"/> and returns the merged context <c>[B, S, heads * head_dim]</c>.
    /// With a cache graph it also produces the outputs <c>present.{layer}.key</c> and <c>present.{layer}.value</c>.
    /// </summary>
    /// <param name="query">Projected queries <c>[B, S, heads * head_dim]</c> (bias added, no rotary yet).</param>
    /// <param name="key">Projected keys <c>[B, S, kv_heads * head_dim]</c> (bias added, no rotary yet).</param>
    /// <param name="value">Projected values <c>[B, S, kv_heads * head_dim]</c>.</param>
    /// <param name="layer">The layer index, used for node and cache names.</param>
    public abstract string Write(string query, string key, string value, int layer);
}
