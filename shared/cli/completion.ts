import { Command } from 'commander';
import { UserError } from '../errors.ts';

/** Every command path (`enroll open`) with the words that may follow it: subcommands and options. */
function table(cmd: Command, prefix: string[] = [], out = new Map<string, string[]>()): Map<string, string[]> {
  const words = [
    ...cmd.commands.map((c) => c.name()),
    ...cmd.options.flatMap((o) => [o.long, o.short].filter((x): x is string => !!x)),
    '--help',
  ];
  out.set(prefix.join(' '), [...new Set(words)]);
  for (const c of cmd.commands) table(c, [...prefix, c.name()], out);
  return out;
}

/**
 * A bash completion script for a commander program: subcommands (nested:
 * `hubctl enroll open`), their options, and files after options that take
 * one. Made from the program itself, so it never drifts from the commands.
 */
export function bashCompletion(program: Command, name: string): string {
  const fn = `_${name.replace(/[^A-Za-z0-9]/g, '_')}`;
  const cases = [...table(program)].map(([path, words]) => `    "${path}") words="${words.join(' ')}" ;;`).join('\n');
  const paths = [...table(program).keys()].filter(Boolean);
  return `# bash completion for ${name}: eval "$(${name} completion bash)", or save it under /etc/bash_completion.d/
${fn}() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" path="" w i
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    case "$w" in -*) continue ;; esac
    case " ${paths.map((p) => `|${p}|`).join(' ')} " in *"|\${path:+$path }$w|"*) path="\${path:+$path }$w" ;; esac
  done
  case "$prev" in --topology|--run-dir|--token-file|--ca-file|--ssh-key|--extra-debs|--config|--state-dir|--hub-dir)
    COMPREPLY=($(compgen -f -- "$cur")); return ;;
  esac
  local words=""
  case "$path" in
${cases}
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -F ${fn} ${name}
`;
}

/** The `completion [shell]` subcommand every kubedos CLI has. */
export function completionCommand(program: Command, name: string): Command {
  return new Command('completion')
    .description(`print a shell completion script for ${name} (bash): eval "$(${name} completion bash)"`)
    .argument('[shell]', 'the shell', 'bash')
    .action((shell: string) => {
      if (shell !== 'bash') throw new UserError(`no completion for ${shell}`, 'bash is the one supported shell');
      process.stdout.write(bashCompletion(program, name));
    });
}
