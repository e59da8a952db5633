using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using NUnit.Framework;
using PaymentsService;

namespace LedgerCore.Samples.Tests;

/// <summary>
/// The real PaymentsService, started in-process on a free loopback port (port 0, then the bound address
/// read back), called over HTTP as any client would.
/// </summary>
public class PaymentsServiceTests
{
    private string _directory = null!;
    private WebApplication _app = null!;
    private HttpClient _http = null!;

    [OneTimeSetUp]
    public async Task StartService()
    {
        _directory = Directory.CreateTempSubdirectory("ledgercore-payments-").FullName;
        _app = PaymentsApi.Build(["--urls", "http://127.0.0.1:0", "--Ledger:DataDirectory", _directory, "--Logging:LogLevel:Default", "Warning"]);
        await _app.StartAsync();
        string address = _app.Urls.Single();
        Assert.That(address, Does.StartWith("http://127.0.0.1:").And.Not.EndWith(":0"), "bound to loopback on a real port");
        _http = new HttpClient { BaseAddress = new Uri(address) };
    }

    [OneTimeTearDown]
    public async Task StopService()
    {
        _http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Test]
    public async Task Accounts_transfer_idempotent_retry_and_balances()
    {
        using (HttpResponseMessage created = await PostAccount("1001", 840, 10))
        {
            Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created));
            Assert.That(created.Headers.Location?.ToString(), Is.EqualTo("/accounts/1001/balance"));
        }
        using (HttpResponseMessage again = await PostAccount("1001", 840, 10))
        {
            Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.OK), "an identical account already exists: a no-op");
        }
        using (HttpResponseMessage created = await PostAccount("1002", 840, 20)) Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created));

        using HttpResponseMessage first = await PostTransfer("order-7f3a", new { debitAccountId = "1001", creditAccountId = "1002", amount = "2500", ledger = 840, code = 1 });
        Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.Created), await first.Content.ReadAsStringAsync());
        var committed = await first.Content.ReadFromJsonAsync<TransferResponse>();
        Assert.That(committed!.Amount, Is.EqualTo("2500"));
        Assert.That(first.Headers.Contains("Idempotent-Replayed"), Is.False);
        Assert.That(await _http.GetFromJsonAsync<TransferResponse>(first.Headers.Location), Is.EqualTo(committed), "Location names the stored transfer");

        // The client lost the answer and retries: same key, same body, same outcome, no second transfer.
        using HttpResponseMessage retry = await PostTransfer("order-7f3a", new { debitAccountId = "1001", creditAccountId = "1002", amount = "2500", ledger = 840, code = 1 });
        Assert.That(retry.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        Assert.That(await retry.Content.ReadFromJsonAsync<TransferResponse>(), Is.EqualTo(committed));
        Assert.That(retry.Headers.GetValues("Idempotent-Replayed"), Is.EqualTo(new[] { "true" }));

        using HttpResponseMessage other = await PostTransfer("order-8b1c", new { debitAccountId = "1001", creditAccountId = "1002", amount = "500", ledger = 840, code = 1 });
        Assert.That(other.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        Assert.That((await other.Content.ReadFromJsonAsync<TransferResponse>())!.Id, Is.Not.EqualTo(committed.Id), "another key is another transfer");

        var debit = await _http.GetFromJsonAsync<AccountResponse>("/accounts/1001/balance");
        var credit = await _http.GetFromJsonAsync<AccountResponse>("/accounts/1002/balance");
        Assert.That((debit!.DebitsPosted, debit.CreditsPosted), Is.EqualTo(("3000", "0")));
        Assert.That((credit!.DebitsPosted, credit.CreditsPosted), Is.EqualTo(("0", "3000")));
    }

    [Test]
    public async Task Key_reused_with_a_different_body_is_a_conflict()
    {
        await CreateAccounts("2001", "2002");
        using (HttpResponseMessage first = await PostTransfer("refund-1", new { debitAccountId = "2001", creditAccountId = "2002", amount = "10", ledger = 840, code = 1 }))
        {
            Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        }

        using HttpResponseMessage reused = await PostTransfer("refund-1", new { debitAccountId = "2001", creditAccountId = "2002", amount = "11", ledger = 840, code = 1 });
        await AssertProblem(reused, HttpStatusCode.Conflict, result: "ExistsWithDifferentAmount");
    }

    [Test]
    public async Task Ledger_rule_refusals_are_422_with_the_result_code()
    {
        using (HttpResponseMessage limited = await PostAccount("3001", 840, 10, "DebitsMustNotExceedCredits")) Assert.That(limited.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        await CreateAccounts("3002");

        using HttpResponseMessage overdraft = await PostTransfer("overdraft-1", new { debitAccountId = "3001", creditAccountId = "3002", amount = "1", ledger = 840, code = 1 });
        await AssertProblem(overdraft, (HttpStatusCode)422, result: "ExceedsCredits");

        // The ledger remembers that this id failed on the state of the time: a retry cannot succeed later.
        using HttpResponseMessage retried = await PostTransfer("overdraft-1", new { debitAccountId = "3001", creditAccountId = "3002", amount = "1", ledger = 840, code = 1 });
        await AssertProblem(retried, (HttpStatusCode)422, result: "IdAlreadyFailed");

        using HttpResponseMessage missing = await PostTransfer("missing-1", new { debitAccountId = "3002", creditAccountId = "3999", amount = "1", ledger = 840, code = 1 });
        await AssertProblem(missing, (HttpStatusCode)422, result: "CreditAccountNotFound");

        using HttpResponseMessage wrongLedger = await PostTransfer("ledger-1", new { debitAccountId = "3001", creditAccountId = "3002", amount = "1", ledger = 978, code = 1 });
        await AssertProblem(wrongLedger, (HttpStatusCode)422, result: "TransferMustHaveTheSameLedgerAsAccounts");
    }

    [Test]
    public async Task Bad_input_is_400_naming_the_fields()
    {
        using HttpResponseMessage noKey = await PostTransfer(key: null, new { debitAccountId = "1", creditAccountId = "2", amount = "1", ledger = 840, code = 1 });
        Assert.That(await ValidationErrors(noKey), Is.EquivalentTo(new[] { "Idempotency-Key" }));

        using HttpResponseMessage badFields = await PostTransfer("bad-1", new { debitAccountId = "abc", creditAccountId = "0", amount = "-5", ledger = 0, code = 1 });
        Assert.That(await ValidationErrors(badFields), Is.EquivalentTo(new[] { "debitAccountId", "creditAccountId", "amount", "ledger" }));

        using HttpResponseMessage sameAccount = await PostTransfer("bad-2", new { debitAccountId = "5", creditAccountId = "5", amount = "1", ledger = 840, code = 1 });
        Assert.That(await ValidationErrors(sameAccount), Is.EquivalentTo(new[] { "creditAccountId" }));

        using HttpResponseMessage badAccount = await PostAccount("340282366920938463463374607431768211455", 840, 0, "Imported");
        Assert.That(await ValidationErrors(badAccount), Is.EquivalentTo(new[] { "id", "code", "flags" }), "2^128-1 is reserved; Imported is not for clients");

        using HttpResponseMessage badId = await _http.GetAsync(new Uri("/accounts/12x/balance", UriKind.Relative));
        Assert.That(await ValidationErrors(badId), Is.EquivalentTo(new[] { "id" }));

        using var malformed = new StringContent("{\"debitAccountId\": ", Encoding.UTF8, "application/json");
        using HttpResponseMessage broken = await _http.PostAsync(new Uri("/transfers", UriKind.Relative), malformed);
        Assert.That(broken.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(broken.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));

        using HttpResponseMessage unknown = await _http.GetAsync(new Uri("/accounts/424242/balance", UriKind.Relative));
        await AssertProblem(unknown, HttpStatusCode.NotFound, result: null);
    }

    [Test]
    public async Task Health_reports_the_open_ledger_as_healthy()
    {
        using HttpResponseMessage health = await _http.GetAsync(new Uri("/health", UriKind.Relative));
        Assert.That(health.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await health.Content.ReadAsStringAsync(), Is.EqualTo("Healthy"));
    }

    private async Task CreateAccounts(params string[] ids)
    {
        foreach (string id in ids)
        {
            using HttpResponseMessage response = await PostAccount(id, 840, 10);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        }
    }

    private Task<HttpResponseMessage> PostAccount(string id, uint ledger, ushort code, params string[] flags) =>
        _http.PostAsJsonAsync("/accounts", new { id, ledger, code, flags });

    private Task<HttpResponseMessage> PostTransfer(string? key, object body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/transfers") { Content = JsonContent.Create(body) };
        if (key is not null) request.Headers.Add(PaymentsApi.IdempotencyKeyHeader, key);
        return SendAndDispose(request);
    }

    private async Task<HttpResponseMessage> SendAndDispose(HttpRequestMessage request)
    {
        using (request) return await _http.SendAsync(request);
    }

    private static async Task<string[]> ValidationErrors(HttpResponseMessage response)
    {
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), await response.Content.ReadAsStringAsync());
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        using JsonDocument problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return problem.RootElement.GetProperty("errors").EnumerateObject().Select(p => p.Name).ToArray();
    }

    private static async Task AssertProblem(HttpResponseMessage response, HttpStatusCode status, string? result)
    {
        string body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(status), body);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        using JsonDocument problem = JsonDocument.Parse(body);
        Assert.That(problem.RootElement.GetProperty("status").GetInt32(), Is.EqualTo((int)status));
        if (result is not null) Assert.That(problem.RootElement.GetProperty("result").GetString(), Is.EqualTo(result));
    }
}
