using System.CommandLine;
using LogMonitoring.LoadGen.Commands;

var root = new RootCommand("LogMonitoring load generator: drives the ingest API and measures the pieces of the pipeline on their own.")
{
    RunCommand.Create(),
    ProduceCommand.Create(),
    StoreCommand.Create(),
    StoreFillCommand.Create(),
    KafkaMockCommand.Create(),
    WaitStoredCommand.Create(),
    RollupCostCommand.Create(),
    SearchBenchCommand.Create(),
    FirstResultsCommand.Create(),
};

return await root.Parse(args).InvokeAsync();
