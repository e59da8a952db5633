using PaymentsService;

// The whole service is built in PaymentsApi so that tests can start the real app in-process.
await using var app = PaymentsApi.Build(args);
await app.RunAsync();
