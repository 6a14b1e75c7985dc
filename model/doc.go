// Package model is keyfront's model of CloudFront's configuration: the
// XML shapes of the CloudFront 2020-05-31 API, a codec for them, and the
// typed distribution configuration that the control API stores and the
// edge serves, with CloudFront's defaults, validation and ARNs. It imports
// no plane, so that every plane, and any other program, reads a
// distribution the same way (DESIGN.md, "The store is the only channel
// between planes").
//
// Shapes come from the AWS API model: genshapes turns botocore's
// service-2.json into shapes_gen.go, a table of every shape reachable from
// the operations keyfront serves. A generic codec walks that table:
// documents are decoded order- and namespace-insensitively with unknown
// elements ignored and every type, enum and Quantity/Items pair checked
// (control-api.md §1, §8), and emitted in model member order with required
// members always present.
//
// A distribution's configuration is stored as the canonical XML of its
// DistributionConfig (Canonical.XML), so that everything the model
// defines is echoed faithfully even where keyfront does not act on it.
// DecodeDistributionConfig accepts one from a client (defaults and
// validation applied); DistributionConfig.Canonical builds one from Go
// values under the same rules; DecodeStored reads a stored one back into
// the typed view without judging it again.
//
// Faults are *Error, carrying CloudFront's error code.
package model
