package main

import (
	"context"
	"flag"
	"fmt"
	"sort"
	"strings"
)

// completionCommand prints a shell completion script for bash or zsh,
// generated from the subcommands' own flag sets so it cannot drift.
type completionCommand struct {
	m     *Main
	fs    *flagSet
	shell string
}

func newCompletionCommand(m *Main) command {
	return &completionCommand{m: m, fs: newFlagSet("completion", "keyfront completion bash|zsh",
		"Print a shell completion script. Load it with:\n"+
			"  bash: source <(keyfront completion bash)     (or save it in /etc/bash_completion.d/keyfront)\n"+
			"  zsh:  source <(keyfront completion zsh)      (or save it as _keyfront in your $fpath)")}
}

func (c *completionCommand) flags() *flagSet  { return c.fs }
func (c *completionCommand) usageStatus() int { return statusUsage }

func (c *completionCommand) parse(args []string) error {
	pos, err := c.fs.parse(args, 1)
	if err != nil {
		return err
	}
	if len(pos) != 1 || (pos[0] != "bash" && pos[0] != "zsh") {
		return usagef("name the shell: keyfront completion bash, or keyfront completion zsh")
	}
	c.shell = pos[0]
	return nil
}

// completionWords returns each subcommand's flags as --name words.
func completionWords(m *Main) (names []string, flagsOf map[string]string) {
	flagsOf = map[string]string{}
	for _, s := range subcommands {
		names = append(names, s.name)
		var fl []string
		s.new(m).flags().VisitAll(func(f *flag.Flag) { fl = append(fl, "--"+f.Name) })
		sort.Strings(fl)
		flagsOf[s.name] = strings.Join(append(fl, "--help"), " ")
	}
	return append(names, "help"), flagsOf
}

func (c *completionCommand) run(context.Context) error {
	names, flagsOf := completionWords(c.m)
	w := c.m.Stdout
	if c.shell == "zsh" {
		fmt.Fprintf(w, "#compdef keyfront\n# zsh completion for keyfront, made by `keyfront completion zsh`.\nautoload -U +X bashcompinit && bashcompinit\n")
	} else {
		fmt.Fprintf(w, "# bash completion for keyfront, made by `keyfront completion bash`.\n")
	}
	fmt.Fprintf(w, "_keyfront() {\n")
	fmt.Fprintf(w, "  local cur=\"${COMP_WORDS[COMP_CWORD]}\" sub=\"${COMP_WORDS[1]}\"\n")
	fmt.Fprintf(w, "  if [ \"$COMP_CWORD\" -eq 1 ]; then\n    COMPREPLY=($(compgen -W %q -- \"$cur\"))\n    return\n  fi\n", strings.Join(names, " "))
	fmt.Fprintf(w, "  case \"$sub\" in\n")
	for _, s := range subcommands {
		fmt.Fprintf(w, "    %s) COMPREPLY=($(compgen -W %q -- \"$cur\")) ;;\n", s.name, flagsOf[s.name])
	}
	fmt.Fprintf(w, "  esac\n")
	fmt.Fprintf(w, "  case \"$cur\" in\n    -*) ;;\n    *) COMPREPLY+=($(compgen -f -- \"$cur\")) ;;\n  esac\n}\n")
	fmt.Fprintf(w, "complete -F _keyfront keyfront\n")
	return nil
}
