// Child process of LookupDecode's model check: `LookupDecode.ModelProbe PATH [options]`.
// Prints one line (ok, refused, nonfinite or failed) and exits 0, 2, 3 or 4; a crash inside llama.cpp ends it by a signal.
// A managed failure (even one loading this program's own assemblies, as in an app folder missing one) must not end it by
// SIGABRT like an unhandled exception would: the parent would take the crash for the model file's fault.
try
{
    return LookupDecode.Models.ModelProbe.RunChild(args);
}
catch (Exception exception)
{
    Console.Error.WriteLine(exception);
    Console.WriteLine($"failed: {exception.GetType().Name}: {exception.Message.ReplaceLineEndings(" ")}");
    return 4;
}
