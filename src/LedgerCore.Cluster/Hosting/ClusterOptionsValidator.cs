using Microsoft.Extensions.Options;

namespace LedgerCore.Cluster.Hosting;

/// <summary>Runs <see cref="ClusterOptions.Validate"/> for the options system, so hosts fail at start, naming the option.</summary>
internal sealed class ClusterOptionsValidator : IValidateOptions<ClusterOptions>
{
    public ValidateOptionsResult Validate(string? name, ClusterOptions options)
    {
        try
        {
            options.Validate();
            return ValidateOptionsResult.Success;
        }
        catch (ArgumentException e)
        {
            return ValidateOptionsResult.Fail(e.Message);
        }
    }
}
