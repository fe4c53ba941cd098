using NanoBanana.Import;

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
return await ImportCommand.RunAsync(args, Console.Out, Console.Error, cancel.Token);
