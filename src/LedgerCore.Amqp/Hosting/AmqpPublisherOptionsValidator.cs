using Microsoft.Extensions.Options;

namespace LedgerCore.Amqp.Hosting;

/// <summary>Runs <see cref="AmqpPublisherOptions.Validate"/> for the options system, so hosts fail at start, naming the option.</summary>
internal sealed class AmqpPublisherOptionsValidator : IValidateOptions<AmqpPublisherOptions>
{
    public ValidateOptionsResult Validate(string? name, AmqpPublisherOptions options)
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
