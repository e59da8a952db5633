using Microsoft.Extensions.Options;

namespace LedgerCore.Hosting;

/// <summary>Runs <see cref="LedgerOptions.Validate"/> for the options system, so hosts fail at start, naming the option.</summary>
internal sealed class LedgerOptionsValidator : IValidateOptions<LedgerOptions>
{
    public ValidateOptionsResult Validate(string? name, LedgerOptions options)
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
