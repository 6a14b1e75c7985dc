// Command keyfront is a self-hosted private content delivery system that
// speaks Amazon CloudFront's protocols. This package is the only place that
// reads flags and the environment; everything it does is wiring around the
// implementation packages.
//
// Subcommands follow the command-line contract of DESIGN.md: keygen, sign,
// sign-cookies, verify and version. sign and sign-cookies mirror
// `aws cloudfront sign` and `aws cloudfront sign-cookies` (spec §14.3),
// including their exit statuses.
package main

import (
	"context"
	"os"
)

func main() {
	m := NewMain()
	os.Exit(m.Run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
