package iampolicy_test

import (
	"strings"
	"testing"

	"keyfront/iampolicy"
)

var (
	anon  = iampolicy.AnonymousPrincipal()
	cf    = iampolicy.ServicePrincipal(cloudfront)
	owner = iampolicy.AccountPrincipal("111122223333")
	alice = iampolicy.ARNPrincipal("arn:aws:iam::444455556666:user/alice")
)

func TestSeedOAC(t *testing.T) {
	p := mustParse(t, seedOAC)
	runEval(t, p, []evalCase{
		{"distribution reads object", newRequest(t, cf, "s3:GetObject", objectARN, "aws:SourceArn", distARN, "aws:SourceAccount", "111122223333"), "Allow 0"},
		{"nested key", newRequest(t, cf, "s3:GetObject", bucketARN+"/a/b/c.png", "aws:SourceArn", distARN), "Allow 0"},
		{"another distribution", newRequest(t, cf, "s3:GetObject", objectARN, "aws:SourceArn", otherDist), "ImplicitDeny"},
		{"no SourceArn", newRequest(t, cf, "s3:GetObject", objectARN), "ImplicitDeny"},
		{"anonymous with forged SourceArn", newRequest(t, anon, "s3:GetObject", objectARN, "aws:SourceArn", distARN), "ImplicitDeny"},
		{"anonymous", newRequest(t, anon, "s3:GetObject", objectARN), "ImplicitDeny"},
		{"account principal", newRequest(t, owner, "s3:GetObject", objectARN, "aws:SourceArn", distARN), "ImplicitDeny"},
		{"other service", newRequest(t, iampolicy.ServicePrincipal("logging.s3.amazonaws.com"), "s3:GetObject", objectARN, "aws:SourceArn", distARN), "ImplicitDeny"},
		{"PutObject", newRequest(t, cf, "s3:PutObject", objectARN, "aws:SourceArn", distARN), "ImplicitDeny"},
		{"DeleteObject", newRequest(t, cf, "s3:DeleteObject", objectARN, "aws:SourceArn", distARN), "ImplicitDeny"},
		{"ListBucket", newRequest(t, cf, "s3:ListBucket", bucketARN, "aws:SourceArn", distARN), "ImplicitDeny"},
		{"other bucket", newRequest(t, cf, "s3:GetObject", "arn:aws:s3:::example-bucket2/index.html", "aws:SourceArn", distARN), "ImplicitDeny"},
		{"bucket ARN itself", newRequest(t, cf, "s3:GetObject", bucketARN, "aws:SourceArn", distARN), "ImplicitDeny"},
		// reference_policies_elements_condition.html: key names are
		// case-insensitive, values (for StringEquals) case-sensitive.
		{"context key in other case", newRequest(t, cf, "s3:GetObject", objectARN, "AWS:SOURCEARN", distARN), "Allow 0"},
		{"SourceArn in other case", newRequest(t, cf, "s3:GetObject", objectARN, "aws:SourceArn", strings.ToLower(distARN)), "ImplicitDeny"},
		// reference_policies_elements_action.html: action names are
		// case-insensitive.
		{"action in other case", newRequest(t, cf, "S3:GETOBJECT", objectARN, "aws:SourceArn", distARN), "Allow 0"},
		// Resource ARNs are case-sensitive.
		{"resource in other case", newRequest(t, cf, "s3:GetObject", "arn:aws:s3:::EXAMPLE-BUCKET/index.html", "aws:SourceArn", distARN), "ImplicitDeny"},
		{"SourceArn with two values, one matching", newRequest(t, cf, "s3:GetObject", objectARN, "aws:SourceArn", otherDist, "aws:SourceArn", distARN), "Allow 0"},
	})
}

func TestSeedOACReferer(t *testing.T) {
	p := mustParse(t, seedOACReferer)
	const site = "https://www.example.com/page.html"
	runEval(t, p, []evalCase{
		{"distribution and site", newRequest(t, cf, "s3:GetObject", objectARN, "aws:SourceArn", distARN, "aws:Referer", site), "Allow 0"},
		{"site root", newRequest(t, cf, "s3:GetObject", objectARN, "aws:SourceArn", distARN, "aws:Referer", "https://www.example.com/"), "Allow 0"},
		{"no referer", newRequest(t, cf, "s3:GetObject", objectARN, "aws:SourceArn", distARN), "ImplicitDeny"},
		{"empty referer", newRequest(t, cf, "s3:GetObject", objectARN, "aws:SourceArn", distARN, "aws:Referer", ""), "ImplicitDeny"},
		{"other site", newRequest(t, cf, "s3:GetObject", objectARN, "aws:SourceArn", distARN, "aws:Referer", "https://evil.example.net/"), "ImplicitDeny"},
		{"look-alike host", newRequest(t, cf, "s3:GetObject", objectARN, "aws:SourceArn", distARN, "aws:Referer", "https://www.example.com.evil.net/x"), "ImplicitDeny"},
		{"http instead of https", newRequest(t, cf, "s3:GetObject", objectARN, "aws:SourceArn", distARN, "aws:Referer", "http://www.example.com/page.html"), "ImplicitDeny"},
		{"no path", newRequest(t, cf, "s3:GetObject", objectARN, "aws:SourceArn", distARN, "aws:Referer", "https://www.example.com"), "ImplicitDeny"},
		{"referer case differs", newRequest(t, cf, "s3:GetObject", objectARN, "aws:SourceArn", distARN, "aws:Referer", "https://WWW.EXAMPLE.COM/page.html"), "ImplicitDeny"},
		{"site but other distribution", newRequest(t, cf, "s3:GetObject", objectARN, "aws:SourceArn", otherDist, "aws:Referer", site), "ImplicitDeny"},
		{"site but no SourceArn", newRequest(t, cf, "s3:GetObject", objectARN, "aws:Referer", site), "ImplicitDeny"},
		{"anonymous from site", newRequest(t, anon, "s3:GetObject", objectARN, "aws:SourceArn", distARN, "aws:Referer", site), "ImplicitDeny"},
	})
}

func TestSeedTLSOnly(t *testing.T) {
	p := mustParse(t, seedTLSOnly)
	runEval(t, p, []evalCase{
		{"TLS read", newRequest(t, anon, "s3:GetObject", objectARN, "aws:SecureTransport", "true"), "Allow 0"},
		{"plain HTTP read", newRequest(t, anon, "s3:GetObject", objectARN, "aws:SecureTransport", "false"), "ExplicitDeny 1"},
		{"plain HTTP by an account", newRequest(t, alice, "s3:GetObject", objectARN, "aws:SecureTransport", "false"), "ExplicitDeny 1"},
		{"plain HTTP list", newRequest(t, anon, "s3:ListBucket", bucketARN, "aws:SecureTransport", "false"), "ExplicitDeny 1"},
		{"TLS list", newRequest(t, anon, "s3:ListBucket", bucketARN, "aws:SecureTransport", "true"), "ImplicitDeny"},
		{"Bool is case-insensitive", newRequest(t, anon, "s3:GetObject", objectARN, "aws:SecureTransport", "FALSE"), "ExplicitDeny 1"},
		// Bool on a missing key is false: the Deny does not apply. The
		// origin always sets aws:SecureTransport, as S3 does.
		{"key missing", newRequest(t, anon, "s3:GetObject", objectARN), "Allow 0"},
		{"not a boolean", newRequest(t, anon, "s3:GetObject", objectARN, "aws:SecureTransport", "maybe"), "Allow 0"},
	})
}

func TestDenyOverridesAllow(t *testing.T) {
	p := mustParse(t, `{"Version":"2012-10-17","Statement":[
	 {"Sid":"A","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::example-bucket/*"},
	 {"Sid":"B","Effect":"Allow","Principal":"*","Action":"s3:Get*","Resource":"arn:aws:s3:::example-bucket/*"},
	 {"Sid":"D","Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::example-bucket/secret/*"}]}`)
	runEval(t, p, []evalCase{
		{"first Allow reported", newRequest(t, anon, "s3:GetObject", objectARN), "Allow 0"},
		{"second Allow alone", newRequest(t, anon, "s3:GetObjectAcl", objectARN), "Allow 1"},
		{"Deny after Allows", newRequest(t, anon, "s3:GetObject", bucketARN+"/secret/x"), "ExplicitDeny 2"},
		{"Deny does not cover", newRequest(t, anon, "s3:GetObjectAcl", bucketARN+"/secret/x"), "Allow 1"},
	})
	d := p.Evaluate(newRequest(t, anon, "s3:GetObject", bucketARN+"/secret/x"))
	if got, want := d.Sid, "D"; got != want {
		t.Errorf("Sid = %q, want %q", got, want)
	}
	if got, want := d.String(), `ExplicitDeny by Statement[2] (Sid "D")`; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

func TestNilPolicy(t *testing.T) {
	var p *iampolicy.Policy
	d := p.Evaluate(newRequest(t, anon, "s3:GetObject", objectARN))
	if got, want := decision(d), "ImplicitDeny"; got != want {
		t.Errorf("Evaluate = %s, want %s", got, want)
	}
	if got, want := d.Statement, -1; got != want {
		t.Errorf("Statement = %d, want %d", got, want)
	}
}

func TestPrincipals(t *testing.T) {
	p := mustParse(t, `{"Version":"2012-10-17","Statement":[
	 {"Effect":"Allow","Principal":{"AWS":"444455556666"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::example-bucket/acct/*"},
	 {"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::777788889999:user/bob","arn:aws:iam::123412341234:root"]},"Action":"s3:GetObject","Resource":"arn:aws:s3:::example-bucket/list/*"},
	 {"Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::example-bucket/public/*"},
	 {"Effect":"Allow","Principal":{"CanonicalUser":"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::example-bucket/canon/*"}]}`)
	bob := iampolicy.ARNPrincipal("arn:aws:iam::777788889999:user/bob")
	carol := iampolicy.ARNPrincipal("arn:aws:iam::123412341234:role/carol")
	canon := iampolicy.Principal{Type: iampolicy.PrincipalCanonicalUser, ID: "79A59DF900B949E55D96A1E698FBACEDFD6E09D98EACF8F8D5218E7CD47EF2BE"}
	runEval(t, p, []evalCase{
		{"account id matches its user", newRequest(t, alice, "s3:GetObject", bucketARN+"/acct/x"), "Allow 0"},
		{"account id matches its root", newRequest(t, iampolicy.AccountPrincipal("444455556666"), "s3:GetObject", bucketARN+"/acct/x"), "Allow 0"},
		{"account id, other account", newRequest(t, bob, "s3:GetObject", bucketARN+"/acct/x"), "ImplicitDeny"},
		{"user ARN", newRequest(t, bob, "s3:GetObject", bucketARN+"/list/x"), "Allow 1"},
		{"user ARN, other user of same account", newRequest(t, iampolicy.ARNPrincipal("arn:aws:iam::777788889999:user/bobby"), "s3:GetObject", bucketARN+"/list/x"), "ImplicitDeny"},
		{"root ARN matches account's role", newRequest(t, carol, "s3:GetObject", bucketARN+"/list/x"), "Allow 1"},
		{"AWS * matches anonymous", newRequest(t, anon, "s3:GetObject", bucketARN+"/public/x"), "Allow 2"},
		{"AWS * matches service", newRequest(t, cf, "s3:GetObject", bucketARN+"/public/x"), "Allow 2"},
		{"canonical user, other case", newRequest(t, canon, "s3:GetObject", bucketARN+"/canon/x"), "Allow 3"},
		{"anonymous is no account", newRequest(t, anon, "s3:GetObject", bucketARN+"/acct/x"), "ImplicitDeny"},
	})
}

func TestNotPrincipal(t *testing.T) {
	// Deny everyone except the distribution: the documented use of
	// NotPrincipal with Deny (reference_policies_elements_notprincipal.html).
	p := mustParse(t, `{"Version":"2012-10-17","Statement":[
	 {"Sid":"Read","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::example-bucket/*"},
	 {"Sid":"OnlyCloudFront","Effect":"Deny","NotPrincipal":{"Service":"cloudfront.amazonaws.com"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::example-bucket/*"}]}`)
	runEval(t, p, []evalCase{
		{"cloudfront", newRequest(t, cf, "s3:GetObject", objectARN), "Allow 0"},
		{"anonymous", newRequest(t, anon, "s3:GetObject", objectARN), "ExplicitDeny 1"},
		{"IAM user", newRequest(t, alice, "s3:GetObject", objectARN), "ExplicitDeny 1"},
		{"other service", newRequest(t, iampolicy.ServicePrincipal("logging.s3.amazonaws.com"), "s3:GetObject", objectARN), "ExplicitDeny 1"},
	})
}

func TestNotAction(t *testing.T) {
	p := mustParse(t, `{"Version":"2012-10-17","Statement":[
	 {"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::example-bucket","arn:aws:s3:::example-bucket/*"]},
	 {"Effect":"Deny","Principal":"*","NotAction":["s3:GetObject","s3:List*"],"Resource":["arn:aws:s3:::example-bucket","arn:aws:s3:::example-bucket/*"]}]}`)
	runEval(t, p, []evalCase{
		{"GetObject is exempt", newRequest(t, anon, "s3:GetObject", objectARN), "Allow 0"},
		{"ListBucket is exempt by wildcard", newRequest(t, anon, "s3:ListBucket", bucketARN), "Allow 0"},
		{"exempt in other case", newRequest(t, anon, "s3:listbucketversions", bucketARN), "Allow 0"},
		{"PutObject denied", newRequest(t, anon, "s3:PutObject", objectARN), "ExplicitDeny 1"},
		{"DeleteBucket denied", newRequest(t, anon, "s3:DeleteBucket", bucketARN), "ExplicitDeny 1"},
	})
}

func TestNotResource(t *testing.T) {
	p := mustParse(t, `{"Version":"2012-10-17","Statement":[
	 {"Effect":"Allow","Principal":"*","Action":"s3:GetObject","NotResource":["arn:aws:s3:::example-bucket/private/*","arn:aws:s3:::example-bucket/*.key"]}]}`)
	runEval(t, p, []evalCase{
		{"public object", newRequest(t, anon, "s3:GetObject", bucketARN+"/public/a.txt"), "Allow 0"},
		{"private prefix", newRequest(t, anon, "s3:GetObject", bucketARN+"/private/a.txt"), "ImplicitDeny"},
		{"suffix pattern", newRequest(t, anon, "s3:GetObject", bucketARN+"/deep/dir/site.key"), "ImplicitDeny"},
		{"prefix is case-sensitive", newRequest(t, anon, "s3:GetObject", bucketARN+"/Private/a.txt"), "Allow 0"},
	})
}

func TestResourceWildcards(t *testing.T) {
	p := mustParse(t, `{"Version":"2012-10-17","Statement":[
	 {"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::example-bucket/img/??.png"},
	 {"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::example-bucket/*/thumb/*"}]}`)
	runEval(t, p, []evalCase{
		{"two characters", newRequest(t, anon, "s3:GetObject", bucketARN+"/img/ab.png"), "Allow 0"},
		{"two multibyte characters", newRequest(t, anon, "s3:GetObject", bucketARN+"/img/éü.png"), "Allow 0"},
		{"three characters", newRequest(t, anon, "s3:GetObject", bucketARN+"/img/abc.png"), "ImplicitDeny"},
		{"one character", newRequest(t, anon, "s3:GetObject", bucketARN+"/img/a.png"), "ImplicitDeny"},
		{"star spans slashes", newRequest(t, anon, "s3:GetObject", bucketARN+"/a/b/thumb/c/d"), "Allow 1"},
		{"star needs the middle", newRequest(t, anon, "s3:GetObject", bucketARN+"/thumb/x"), "ImplicitDeny"},
	})
}

func TestPolicyVariables(t *testing.T) {
	doc := `{"Version":"%s","Statement":[
	 {"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::example-bucket/home/${aws:username}/*"},
	 {"Effect":"Allow","Principal":"*","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example-bucket",
	  "Condition":{"StringLike":{"s3:prefix":["home/${aws:username, 'guest'}/*","literal-${*}"]}}}]}`
	p := mustParse(t, strings.Replace(doc, "%s", "2012-10-17", 1))
	runEval(t, p, []evalCase{
		{"own home", newRequest(t, alice, "s3:GetObject", bucketARN+"/home/alice/a", "aws:username", "alice"), "Allow 0"},
		{"other home", newRequest(t, alice, "s3:GetObject", bucketARN+"/home/bob/a", "aws:username", "alice"), "ImplicitDeny"},
		{"no username", newRequest(t, anon, "s3:GetObject", bucketARN+"/home//a"), "ImplicitDeny"},
		{"wildcard in value is literal", newRequest(t, alice, "s3:GetObject", bucketARN+"/home/bob/a", "aws:username", "*"), "ImplicitDeny"},
		{"list own prefix", newRequest(t, alice, "s3:ListBucket", bucketARN, "aws:username", "alice", "s3:prefix", "home/alice/x"), "Allow 1"},
		{"default for missing key", newRequest(t, anon, "s3:ListBucket", bucketARN, "s3:prefix", "home/guest/x"), "Allow 1"},
		{"escaped star", newRequest(t, anon, "s3:ListBucket", bucketARN, "s3:prefix", "literal-*"), "Allow 1"},
		{"escaped star is not a wildcard", newRequest(t, anon, "s3:ListBucket", bucketARN, "s3:prefix", "literal-x"), "ImplicitDeny"},
	})
	// reference_policies_elements_version.html: with 2008-10-17 variables are
	// literal text.
	old := mustParse(t, strings.Replace(doc, "%s", "2008-10-17", 1))
	runEval(t, old, []evalCase{
		{"2008: variable not substituted", newRequest(t, alice, "s3:GetObject", bucketARN+"/home/alice/a", "aws:username", "alice"), "ImplicitDeny"},
		{"2008: literal text matches", newRequest(t, alice, "s3:GetObject", bucketARN+"/home/${aws:username}/a", "aws:username", "alice"), "Allow 0"},
	})
}
