using OkvActors.Ctl;

return await Okvctl.RunAsync(args, Console.Out, Console.Error);
