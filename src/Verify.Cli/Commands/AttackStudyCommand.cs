using System.CommandLine;
using Spectre.Console;
using Verify.Cli.Studies;

namespace Verify.Cli.Commands;

/// <summary>`verify attack-study`: the default attack against a much longer one on CIFAR-shaped robustness properties.</summary>
public static class AttackStudyCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var images = new Option<int>("--images") { DefaultValueFactory = _ => 20 };
        var eps = new Option<double>("--eps") { Description = "l-infinity radius", DefaultValueFactory = _ => 2.0 / 255 };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 1 };
        var factor = new Option<int>("--strong-factor") { Description = "the reference attack's steps and restarts, as a multiple of the default's", DefaultValueFactory = _ => 4 };
        var cmd = new Command("attack-study", "Does the default attack find the counterexamples a much longer attack finds? Random CIFAR-shaped CNN, random images.")
        {
            images, eps, seed, factor,
        };
        cmd.SetAction(parse =>
        {
            var options = new AttackStudyOptions(parse.GetValue(images), parse.GetValue(eps), parse.GetValue(seed), parse.GetValue(factor));
            if (options.Images < 1 || options.Eps <= 0 || options.StrongFactor < 1)
                throw new VerifyException("--images and --strong-factor must be at least 1, --eps positive");
            var rows = AttackStudy.Run(options, r => AnsiConsole.MarkupLine(Markup.Escape(
                $"image {r.Image}: probe {(r.Probe ? "found" : "-")}, default {(r.Default ? "found" : "-")} ({r.DefaultSeconds:F2} s), long {(r.Strong ? "found" : "-")} ({r.StrongSeconds:F2} s)")));
            int strong = rows.Count(r => r.Strong), both = rows.Count(r => r.Strong && r.Default), onlyDefault = rows.Count(r => r.Default && !r.Strong);
            AnsiConsole.MarkupLine(Markup.Escape($"long attack found {strong}/{rows.Count}; the default found {both} of those (and {onlyDefault} the long one missed); " +
                $"default {rows.Sum(r => r.DefaultSeconds):F1} s in all, long {rows.Sum(r => r.StrongSeconds):F1} s"));
            return 0;
        });
        return cmd;
    }
}
