using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;
using NanoBanana.Functions.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.UseWhen<ExceptionHandlingMiddleware>(ExceptionHandlingMiddleware.AppliesTo);
builder.Services.AddNanoBanana(builder.Configuration);

builder.Build().Run();
