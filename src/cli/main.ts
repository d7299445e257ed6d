// The command line: wires every command declared in commands.ts to its module, loaded only when
// it runs (so `rollcall --help` loads no mail or Twilio code), and maps errors to exit codes.
import { Command, CommanderError, type OptionValues } from '@commander-js/extra-typings';
import { toolVersion } from '../core/version.js';
import { EXIT, RollcallError } from '../core/errors.js';
import { isPathProblem, pathError } from '../core/make-folder.js';
import * as commands from './commands.js';
import { examples } from './commands.js';
import { processOutput, writeBug, type Output } from './output.js';

/** What every command module exports: run with the positional arguments and the options object
 * its declaration gives (commands.ts), return the exit code. */
export type CommandModule<O> = {
  run(args: string[], opts: O, o: Output): Promise<number>;
};


export function buildProgram(o: Partial<Output> = {}, onRun: (code: number) => void = () => {}): Command {
  const program = new Command('rollcall')
    .description('Responsiveness tests of networks of 24/7 contact points.\nNew here? `rollcall demo` runs a whole test against simulated contact points, with no set-up.')
    .version(toolVersion(), '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => (o.out ?? process.stdout).write(s),
      writeErr: (s) => (o.err ?? process.stderr).write(s),
    });

  // The command's module is loaded only when it runs; its options object is typed from the
  // declaration in commands.ts.
  const wire = <O extends OptionValues>(cmd: Command<unknown[], O>, load: () => Promise<CommandModule<O>>) =>
    cmd.action(async (...raw) => {
      // commander passes positional args, then the options object, then the command.
      const opts = cmd.opts();
      const args = raw.slice(0, -2).flat().filter((a): a is string => typeof a === 'string');
      const json = 'json' in opts && opts.json === true;
      const output = { ...processOutput(json), ...o, json };
      const mod = await load();
      onRun(await mod.run(args, opts, output));
    });

  const directory = program
    .command('directory')
    .description('check, show and export a directory of contact points')
    .addHelpText('after', examples('rollcall directory validate fixtures/directory.yaml', 'rollcall directory show fixtures/directory.csv', 'rollcall directory export fixtures/directory.yaml --out directory.xlsx'));
  const templates = program
    .command('templates')
    .description("the office's own words in the ping (template files per language)")
    .addHelpText('after', examples('rollcall templates init templates --languages en,fr'));
  wire(commands.directoryValidateCommand(directory.command('validate')), () => import('./directory-validate.js'));
  wire(commands.directoryShowCommand(directory.command('show')), () => import('./directory-show.js'));
  wire(commands.directoryExportCommand(directory.command('export')), () => import('./directory-export.js'));
  wire(commands.templatesInitCommand(templates.command('init')), () => import('./templates-init.js'));
  wire(commands.checkCommand(program.command('check')), () => import('./check.js'));
  wire(commands.runCommand(program.command('run')), () => import('./run.js'));
  wire(commands.resumeCommand(program.command('resume')), () => import('./resume.js'));
  wire(commands.serviceCommand(program.command('service')), () => import('./service.js'));
  wire(commands.statusCommand(program.command('status')), () => import('./status.js'));
  wire(commands.statsCommand(program.command('stats')), () => import('./stats.js'));
  wire(commands.reportCommand(program.command('report')), () => import('./report.js'));
  wire(commands.inspectCommand(program.command('inspect')), () => import('./inspect.js'));
  wire(commands.markCommand(program.command('mark')), () => import('./mark.js'));
  wire(commands.demoCommand(program.command('demo')), () => import('./demo.js'));

  program.addHelpText(
    'after',
    examples(
      'rollcall demo                                    # a whole test, simulated, no set-up',
      'rollcall directory validate directory.yaml       # every problem of the directory at once',
      'rollcall check --directory directory.yaml        # servers, templates, one round trip',
      'rollcall run --directory directory.yaml --between 09:00-17:00 --on 2024-06-05 --tz Europe/Paris --detach --notify secretariat@example.org',
      'rollcall status runs/2024-06-05T0930Z-k3f9       # where a run stands',
      'rollcall report runs/2024-06-05T0930Z-k3f9 --format html,md',
    ) + '\n`rollcall <command> --help` tells more about each command.\n',
  );
  return program;
}

/** Runs the CLI; returns the exit code. Only this layer prints errors. */
export async function main(argv: string[], o: Partial<Output> = {}): Promise<number> {
  let code: number = EXIT.ok;
  const program = buildProgram(o, (c) => (code = c));
  const err = o.err ?? process.stderr;
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version exit 0; every other commander error is bad usage (already printed).
      return e.exitCode === 0 ? EXIT.ok : EXIT.cannotStart;
    }
    if (e instanceof RollcallError) {
      err.write(`rollcall: ${e.message}\n`);
      return e.exitCode;
    }
    // A file or folder that cannot be written or read where the user pointed rollcall (a file in
    // the way, no permission, a read-only disk): the place and the reason, not a stack trace.
    if (isPathProblem(e) && e.path) {
      err.write(`rollcall: ${(pathError(e, e.path, `cannot ${e.syscall ?? 'use'}`) as Error).message}\n`);
      return EXIT.problems;
    }
    writeBug(err, e);
    return EXIT.problems;
  }
}
