using Sure.Cli;

return SureCli.Invoke(args);
