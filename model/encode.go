package model

import "time"

// Canonical turns Go values into a stored configuration: it encodes c as
// a DistributionConfig element, then decodes, completes and validates that
// exactly as DecodeDistributionConfig does a request body, so that a
// configuration built in Go (by a console, or a test) meets every rule a
// client's XML meets. Fields left at their zero value where CloudFront has
// a default get the default: Comment "", ConnectionAttempts 3,
// ConnectionTimeout 10 s, a custom origin's read and keep-alive timeouts
// 30 s and 5 s, AllowedMethods and CachedMethods GET and HEAD, and, with
// ForwardedValues, DefaultTTL one day and MaxTTL one year (§3.5).
// Everything the typed view does not hold (logging, viewer certificate,
// restrictions, …) gets CloudFront's defaults.
func (c *DistributionConfig) Canonical() (*Canonical, error) {
	n := NewNode(ShDistributionConfig)
	n.SetText("CallerReference", c.CallerReference)
	if len(c.Aliases) > 0 {
		n.Ensure("Aliases").SetQuantityItems(c.Aliases)
	}
	if c.DefaultRootObject != "" {
		n.SetText("DefaultRootObject", c.DefaultRootObject)
	}
	origins := make([]*Node, len(c.Origins))
	for i := range c.Origins {
		origins[i] = encodeOrigin(&c.Origins[i])
	}
	n.Ensure("Origins").SetItems(origins)
	n.Set("DefaultCacheBehavior", encodeBehavior(ShDefaultCacheBehavior, &c.DefaultCacheBehavior))
	if len(c.CacheBehaviors) > 0 {
		bs := make([]*Node, len(c.CacheBehaviors))
		for i := range c.CacheBehaviors {
			bs[i] = encodeBehavior(ShCacheBehavior, &c.CacheBehaviors[i])
		}
		n.Ensure("CacheBehaviors").SetItems(bs)
	}
	if len(c.CustomErrorResponses) > 0 {
		es := make([]*Node, len(c.CustomErrorResponses))
		for i, e := range c.CustomErrorResponses {
			en := NewNode(ShCustomErrorResponse)
			en.SetInt("ErrorCode", int64(e.ErrorCode))
			if e.ResponsePagePath != "" {
				en.SetText("ResponsePagePath", e.ResponsePagePath)
			}
			if e.ResponseCode != "" {
				en.SetText("ResponseCode", e.ResponseCode)
			}
			en.SetInt("ErrorCachingMinTTL", secondsOf(e.ErrorCachingMinTTL))
			es[i] = en
		}
		n.Ensure("CustomErrorResponses").SetItems(es)
	}
	n.SetText("Comment", c.Comment)
	if c.PriceClass != "" {
		n.SetText("PriceClass", c.PriceClass)
	}
	n.SetBool("Enabled", c.Enabled)
	if c.HTTPVersion != "" {
		n.SetText("HttpVersion", c.HTTPVersion)
	}
	n.SetBool("IsIPV6Enabled", c.IsIPV6Enabled)
	return DecodeDistributionConfig(marshalElement("DistributionConfig", n))
}

func secondsOf(d time.Duration) int64 { return int64(d / time.Second) }

func encodeOrigin(o *Origin) *Node {
	n := NewNode(ShOrigin)
	n.SetText("Id", o.ID)
	n.SetText("DomainName", o.DomainName)
	n.SetText("OriginPath", o.OriginPath)
	if len(o.CustomHeaders) > 0 {
		hs := make([]*Node, len(o.CustomHeaders))
		for i, h := range o.CustomHeaders {
			hn := NewNode(ShOriginCustomHeader)
			hn.SetText("HeaderName", h.Name)
			hn.SetText("HeaderValue", h.Value)
			hs[i] = hn
		}
		n.Ensure("CustomHeaders").SetItems(hs)
	}
	if o.S3 != nil {
		s3 := n.Ensure("S3OriginConfig")
		s3.SetText("OriginAccessIdentity", o.S3.OriginAccessIdentity)
		if o.S3.ReadTimeout > 0 {
			s3.SetInt("OriginReadTimeout", secondsOf(o.S3.ReadTimeout))
		}
	}
	if co := o.Custom; co != nil {
		cn := n.Ensure("CustomOriginConfig")
		cn.SetInt("HTTPPort", int64(co.HTTPPort))
		cn.SetInt("HTTPSPort", int64(co.HTTPSPort))
		cn.SetText("OriginProtocolPolicy", co.ProtocolPolicy)
		if len(co.SSLProtocols) > 0 {
			cn.Ensure("OriginSslProtocols").SetQuantityItems(co.SSLProtocols)
		}
		if co.ReadTimeout > 0 {
			cn.SetInt("OriginReadTimeout", secondsOf(co.ReadTimeout))
		}
		if co.KeepaliveTimeout > 0 {
			cn.SetInt("OriginKeepaliveTimeout", secondsOf(co.KeepaliveTimeout))
		}
	}
	if o.ConnectionAttempts > 0 {
		n.SetInt("ConnectionAttempts", int64(o.ConnectionAttempts))
	}
	if o.ConnectionTimeout > 0 {
		n.SetInt("ConnectionTimeout", secondsOf(o.ConnectionTimeout))
	}
	n.SetText("OriginAccessControlId", o.OriginAccessControlID)
	return n
}

func encodeBehavior(sid ShapeID, b *CacheBehavior) *Node {
	n := NewNode(sid)
	if sid == ShCacheBehavior {
		n.SetText("PathPattern", b.PathPattern)
	}
	n.SetText("TargetOriginId", b.TargetOriginID)
	ts := n.Ensure("TrustedSigners")
	ts.SetBool("Enabled", b.TrustedSigners.Enabled)
	ts.SetQuantityItems(b.TrustedSigners.Items)
	tk := n.Ensure("TrustedKeyGroups")
	tk.SetBool("Enabled", b.TrustedKeyGroups.Enabled)
	ids := make([]string, len(b.TrustedKeyGroups.Items))
	for i, id := range b.TrustedKeyGroups.Items {
		ids[i] = string(id)
	}
	tk.SetQuantityItems(ids)
	n.SetText("ViewerProtocolPolicy", b.ViewerProtocolPolicy)
	if len(b.AllowedMethods) > 0 {
		am := n.Ensure("AllowedMethods")
		am.SetQuantityItems(b.AllowedMethods)
		if len(b.CachedMethods) > 0 {
			am.Ensure("CachedMethods").SetQuantityItems(b.CachedMethods)
		}
	}
	n.SetBool("SmoothStreaming", b.SmoothStreaming)
	n.SetBool("Compress", b.Compress)
	for name, v := range map[string]string{
		"CachePolicyId":           b.CachePolicyID,
		"OriginRequestPolicyId":   b.OriginRequestPolicyID,
		"ResponseHeadersPolicyId": b.ResponseHeadersPolicyID,
	} {
		if v != "" {
			n.SetText(name, v)
		}
	}
	if fv := b.ForwardedValues; fv != nil {
		fn := n.Ensure("ForwardedValues")
		fn.SetBool("QueryString", fv.QueryString)
		ck := fn.Ensure("Cookies")
		forward := fv.Cookies
		if forward == "" {
			forward = "none"
		}
		ck.SetText("Forward", forward)
		if len(fv.CookieNames) > 0 {
			ck.Ensure("WhitelistedNames").SetQuantityItems(fv.CookieNames)
		}
		fn.Ensure("Headers").SetQuantityItems(fv.Headers)
		fn.Ensure("QueryStringCacheKeys").SetQuantityItems(fv.QueryStringCacheKeys)
		n.SetInt("MinTTL", secondsOf(b.MinTTL))
		if b.DefaultTTL > 0 {
			n.SetInt("DefaultTTL", secondsOf(b.DefaultTTL))
		}
		if b.MaxTTL > 0 {
			n.SetInt("MaxTTL", secondsOf(b.MaxTTL))
		}
	}
	return n
}
