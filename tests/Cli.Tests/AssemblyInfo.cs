// The command tests swap Console.Out and Console.Error, which are process-wide: run the classes one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
