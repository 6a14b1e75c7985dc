package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// flagSet is a subcommand's flag.FlagSet plus what its help shows and which
// flags are required. Flags are written --name in help and errors, as the
// AWS CLI writes them; Go's parser takes -name and --name alike.
type flagSet struct {
	*flag.FlagSet
	synopsis    string // the usage line(s) after "Usage:"
	description string // a paragraph after the usage line
}

func newFlagSet(name, synopsis, description string) *flagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	// Errors are reported by Main in one line; the flag package's own
	// message and automatic usage dump would add a second.
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return &flagSet{FlagSet: fs, synopsis: synopsis, description: description}
}

// requireFlags reports, in one error worded as the AWS CLI words it, every
// named flag that is empty.
func (f *flagSet) requireFlags(names ...string) error {
	var missing []string
	for _, name := range names {
		if f.Lookup(name).Value.String() == "" {
			missing = append(missing, "--"+name)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return usagef("the following arguments are required: %s; run 'keyfront %s --help' for usage",
		strings.Join(missing, ", "), f.Name())
}

// isSet reports whether the flag was given on the command line.
func (f *flagSet) isSet(name string) bool {
	set := false
	f.Visit(func(fl *flag.Flag) {
		if fl.Name == name {
			set = true
		}
	})
	return set
}

// parse parses args and returns the positional arguments. Flags and
// positional arguments may be mixed (`verify URL --now T`), because users
// put the URL wherever they like; "--" ends the flags. More than maxArgs
// positional arguments is a usage error.
func (f *flagSet) parse(args []string, maxArgs int) ([]string, error) {
	var positional []string
	for {
		if err := f.Parse(args); err != nil {
			return nil, f.flagError(err)
		}
		rest := f.Args()
		if len(rest) == 0 {
			break
		}
		if consumed := args[:len(args)-len(rest)]; len(consumed) > 0 && consumed[len(consumed)-1] == "--" {
			positional = append(positional, rest...)
			break
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
	if len(positional) > maxArgs {
		return nil, usagef("unexpected argument %q; run 'keyfront %s --help' for usage", positional[maxArgs], f.Name())
	}
	return positional, nil
}

// flagError rewords the flag package's errors in --name form and says where
// to look.
func (f *flagSet) flagError(err error) error {
	if errors.Is(err, flag.ErrHelp) {
		return errHelp
	}
	msg := err.Error()
	switch {
	case strings.HasPrefix(msg, "flag provided but not defined: "):
		name := strings.TrimLeft(strings.TrimPrefix(msg, "flag provided but not defined: "), "-")
		msg = "unknown flag --" + name
	case strings.HasPrefix(msg, "flag needs an argument: "):
		name := strings.TrimLeft(strings.TrimPrefix(msg, "flag needs an argument: "), "-")
		msg = "flag --" + name + " needs a value"
	default:
		msg = strings.ReplaceAll(msg, " -", " --")
	}
	return usagef("%s; run 'keyfront %s --help' for usage", msg, f.Name())
}

// printCommandHelp writes a subcommand's help: usage, description and every
// flag with its default.
func printCommandHelp(w io.Writer, name string, f *flagSet) {
	fmt.Fprintf(w, "Usage:\n  %s\n\n", f.synopsis)
	if f.description != "" {
		fmt.Fprintf(w, "%s\n\n", f.description)
	}
	var b strings.Builder
	f.VisitAll(func(fl *flag.Flag) {
		arg, usage := flag.UnquoteUsage(fl)
		b.WriteString("  --" + fl.Name)
		if arg != "" {
			b.WriteString(" " + arg)
		}
		b.WriteString("\n      " + strings.ReplaceAll(usage, "\n", "\n      "))
		if def := fl.DefValue; def != "" && def != "false" {
			fmt.Fprintf(&b, " (default %s)", def)
		}
		b.WriteString("\n")
	})
	if b.Len() > 0 {
		fmt.Fprintf(w, "Flags:\n%s", b.String())
	}
}

// stringList is a repeatable string flag (verify --cookie).
type stringList []string

func (l *stringList) String() string { return strings.Join(*l, "; ") }

func (l *stringList) Set(s string) error {
	*l = append(*l, s)
	return nil
}
