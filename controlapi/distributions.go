package controlapi

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"keyfront"
)

// Distributions (control-api.md §3.5, §5, §6, §7, §10).

// Distribution statuses (§3.5). The store holds StatusDeployed as soon as
// a configuration is written: edges read it from the store. Create and
// update responses say InProgress, as CloudFront's do.
const (
	statusDeployed   = "Deployed"
	statusInProgress = "InProgress"
)

// distInput is a validated DistributionConfig with defaults applied, in
// canonical form, and the fields the store indexes.
type distInput struct {
	cfg         *node
	raw         []byte
	callerRef   string
	enabled     bool
	aliases     []string
	keyGroupIDs []keyfront.KeyGroupID
	oacIDs      []string
}

// prepareDistribution applies defaults and the store-free checks to a
// decoded DistributionConfig.
func prepareDistribution(cfg *node) (*distInput, error) {
	applyDistributionDefaults(cfg)
	if err := validateDistributionConfig(cfg); err != nil {
		return nil, err
	}
	in := &distInput{
		cfg:       cfg,
		raw:       marshalElement("DistributionConfig", cfg),
		callerRef: cfg.str("CallerReference"),
		enabled:   cfg.boolean("Enabled"),
		aliases:   cfg.textsOf("Aliases"),
	}
	for _, b := range behaviors(cfg) {
		for _, id := range textsOfList(b.get("TrustedKeyGroups").get("Items")) {
			if !slices.Contains(in.keyGroupIDs, keyfront.KeyGroupID(id)) {
				in.keyGroupIDs = append(in.keyGroupIDs, keyfront.KeyGroupID(id))
			}
		}
	}
	for _, o := range cfg.itemsOf("Origins") {
		if id := o.str("OriginAccessControlId"); id != "" && !slices.Contains(in.oacIDs, id) {
			in.oacIDs = append(in.oacIDs, id)
		}
	}
	return in, nil
}

// parseDistributionBody decodes a CreateDistribution(WithTags) or
// UpdateDistribution body.
func (s *Server) parseDistributionBody(r *http.Request, withTags bool) (*distInput, []keyfront.Tag, error) {
	if !withTags {
		n, err := s.decodeBody(r, shDistributionConfig, "DistributionConfig", "RequestEntityTooLarge")
		if err != nil {
			return nil, nil, err
		}
		in, err := prepareDistribution(n)
		return in, nil, err
	}
	n, err := s.decodeBody(r, shDistributionConfigWithTags, "DistributionConfigWithTags", "RequestEntityTooLarge")
	if err != nil {
		return nil, nil, err
	}
	tags, err := parseTags(n.get("Tags"), "DistributionConfigWithTags.Tags")
	if err != nil {
		return nil, nil, err
	}
	in, err := prepareDistribution(n.get("DistributionConfig"))
	return in, tags, err
}

// checkDistribution applies the rules that need the store, in the order of
// §10: uniqueness, references, quotas. all is every distribution; self is
// the one being updated ("" on create).
func (s *Server) checkDistribution(ctx context.Context, tx keyfront.Tx, in *distInput, all []*keyfront.Distribution, self keyfront.DistributionID) error {
	// Uniqueness (§6).
	for _, d := range all {
		if d.ID == self {
			continue
		}
		if self == "" && d.CallerReference == in.callerRef {
			return errorf("DistributionAlreadyExists", msgDistributionCallerRefUsed, d.ID)
		}
		for _, a := range d.Aliases {
			for _, b := range in.aliases {
				if strings.EqualFold(a, b) {
					return errorf("CNAMEAlreadyExists", msgCNAMEAlreadyExists+" %s is used by distribution %s.", b, d.ID)
				}
			}
		}
	}

	// References (§10).
	targets := map[string]bool{}
	for _, o := range in.cfg.itemsOf("Origins") {
		targets[o.str("Id")] = true
	}
	for _, g := range in.cfg.itemsOf("OriginGroups") {
		targets[g.str("Id")] = true
	}
	for _, b := range behaviors(in.cfg) {
		if t := b.str("TargetOriginId"); !targets[t] {
			return errorf("NoSuchOrigin", msgNoSuchOrigin+" A cache behavior targets %q.", t)
		}
		for _, acct := range textsOfList(b.get("TrustedSigners").get("Items")) {
			if acct != "self" && acct != s.cfg.AccountID {
				// Legacy key pairs of other accounts are not implemented
				// (signed-urls.md §10).
				return errorf("TrustedSignerDoesNotExist", "TrustedSigners lists %q; keyfront trusts only \"self\" (account %s), whose public keys sign.", acct, s.cfg.AccountID)
			}
		}
	}
	for _, id := range in.keyGroupIDs {
		if _, err := tx.GetKeyGroup(ctx, id); err != nil {
			if keyfront.ErrorCode(err) == keyfront.ENOTFOUND {
				return errorf("TrustedKeyGroupDoesNotExist", msgTrustedKeyGroupNotExist+" TrustedKeyGroups lists %s.", id)
			}
			return err
		}
	}
	for _, id := range in.oacIDs {
		if _, err := tx.GetOriginAccessControl(ctx, id); err != nil {
			if keyfront.ErrorCode(err) == keyfront.ENOTFOUND {
				return errorf("InvalidOriginAccessControl", "Origin access control %s does not exist.", id)
			}
			return err
		}
	}

	// Quotas (§7).
	q := s.quotas
	if n := len(in.cfg.itemsOf("Origins")); n > q.Origins {
		return errorf("TooManyOrigins", "A distribution may have at most %d origins; this one has %d.", q.Origins, n)
	}
	if n := len(in.cfg.itemsOf("CacheBehaviors")); n > q.CacheBehaviors {
		return errorf("TooManyCacheBehaviors", "A distribution may have at most %d cache behaviors; this one has %d.", q.CacheBehaviors, n)
	}
	if n := len(in.aliases); n > q.CNAMEs {
		return errorf("TooManyDistributionCNAMEs", "A distribution may have at most %d alternate domain names; this one has %d.", q.CNAMEs, n)
	}
	for _, b := range behaviors(in.cfg) {
		if n := len(methodSet(textsOfList(b.get("TrustedKeyGroups").get("Items")))); n > q.KeyGroupsPerCacheBehavior {
			return errorf("TooManyKeyGroupsAssociatedToDistribution", "A cache behavior may trust at most %d key groups; one trusts %d.", q.KeyGroupsPerCacheBehavior, n)
		}
	}
	for _, id := range in.keyGroupIDs {
		n := 1
		for _, d := range all {
			if d.ID != self && slices.Contains(d.KeyGroupIDs, id) {
				n++
			}
		}
		if n > q.DistributionsPerKeyGroup {
			return errorf("TooManyDistributionsAssociatedToKeyGroup", "Key group %s may be trusted by at most %d distributions.", id, q.DistributionsPerKeyGroup)
		}
	}
	return nil
}

// distributionNode builds the Distribution element of d (§3.5): status is
// what the response says; ActiveTrustedKeyGroups lists the current keys of
// the enabled trusted key groups, ActiveTrustedSigners the account's keys
// when TrustedSigners is enabled.
func (s *Server) distributionNode(ctx context.Context, tx keyfront.Tx, d *keyfront.Distribution, status string) (*node, error) {
	cfg, err := storedConfig(d)
	if err != nil {
		return nil, err
	}
	invs, err := tx.ListInvalidations(ctx, d.ID, keyfront.Page{})
	if err != nil {
		return nil, err
	}
	inProgress := 0
	for _, inv := range invs {
		if inv.Status == statusInProgress {
			inProgress++
		}
	}
	n := newNode(shDistribution)
	n.setText("Id", string(d.ID))
	n.setText("ARN", s.arn(d.ID))
	n.setText("Status", status)
	n.setTime("LastModifiedTime", d.LastModifiedTime)
	n.setInt("InProgressInvalidationBatches", int64(inProgress))
	n.setText("DomainName", d.DomainName)

	var groups []string
	signers := false
	for _, b := range behaviors(cfg) {
		if t := b.get("TrustedKeyGroups"); t.boolean("Enabled") {
			for _, id := range textsOfList(t.get("Items")) {
				if !slices.Contains(groups, id) {
					groups = append(groups, id)
				}
			}
		}
		if t := b.get("TrustedSigners"); t.boolean("Enabled") && len(textsOfList(t.get("Items"))) > 0 {
			signers = true
		}
	}
	ats := n.ensure("ActiveTrustedSigners")
	ats.setBool("Enabled", signers)
	var signerItems []*node
	if signers {
		keys, err := tx.ListPublicKeys(ctx, keyfront.Page{})
		if err != nil {
			return nil, err
		}
		ids := make([]string, len(keys))
		for i, k := range keys {
			ids[i] = string(k.ID)
		}
		sg := newNode(shSigner)
		sg.setText("AwsAccountNumber", "self")
		setQuantityItems(sg.ensure("KeyPairIds"), ids)
		signerItems = append(signerItems, sg)
	}
	setItems(ats, signerItems)

	atk := n.ensure("ActiveTrustedKeyGroups")
	atk.setBool("Enabled", len(groups) > 0)
	var kgItems []*node
	for _, id := range groups {
		g, err := tx.GetKeyGroup(ctx, keyfront.KeyGroupID(id))
		if err != nil {
			if keyfront.ErrorCode(err) == keyfront.ENOTFOUND {
				continue // referential integrity keeps this from happening
			}
			return nil, err
		}
		ids := make([]string, len(g.Items))
		for i, k := range g.Items {
			ids[i] = string(k)
		}
		it := newNode(shKGKeyPairIds)
		it.setText("KeyGroupId", id)
		setQuantityItems(it.ensure("KeyPairIds"), ids)
		kgItems = append(kgItems, it)
	}
	setItems(atk, kgItems)
	n.set("DistributionConfig", &node{shape: shDistributionConfig, raw: d.Config})
	return n, nil
}

// storedConfig decodes a stored DistributionConfig.
func storedConfig(d *keyfront.Distribution) (*node, error) {
	cfg, err := decodeXML(d.Config, shDistributionConfig, "DistributionConfig")
	if err != nil {
		return nil, fmt.Errorf("controlapi: stored configuration of distribution %s: %w", d.ID, err)
	}
	return cfg, nil
}

func (s *Server) handleDistributionCreate(w http.ResponseWriter, r *http.Request) error {
	in, tags, err := s.parseDistributionBody(r, r.URL.Query().Has("WithTags"))
	if err != nil {
		return err
	}
	ctx := r.Context()
	d := &keyfront.Distribution{
		ETag:                   s.newETag(),
		Status:                 statusDeployed,
		LastModifiedTime:       s.now().UTC(),
		CallerReference:        in.callerRef,
		Enabled:                in.enabled,
		Aliases:                in.aliases,
		KeyGroupIDs:            in.keyGroupIDs,
		OriginAccessControlIDs: in.oacIDs,
		Config:                 in.raw,
		Tags:                   tags,
	}
	var resp *node
	err = s.store.Update(ctx, func(tx keyfront.Tx) error {
		all, err := tx.ListDistributions(ctx, keyfront.Page{})
		if err != nil {
			return err
		}
		if err := s.checkDistribution(ctx, tx, in, all, ""); err != nil {
			return err
		}
		if len(all) >= s.quotas.Distributions {
			return errorf("TooManyDistributions", "Processing your request would cause you to exceed the maximum number of distributions allowed (%d).", s.quotas.Distributions)
		}
		id, err := s.unusedID(func() string { return s.newID("E") }, func(id string) error {
			_, err := tx.GetDistribution(ctx, keyfront.DistributionID(id))
			return err
		})
		if err != nil {
			return err
		}
		d.ID = keyfront.DistributionID(id)
		for d.DomainName == "" || slices.ContainsFunc(all, func(o *keyfront.Distribution) bool { return o.DomainName == d.DomainName }) {
			d.DomainName = s.newDomainName()
		}
		if err := tx.PutDistribution(ctx, d); err != nil {
			return err
		}
		resp, err = s.distributionNode(ctx, tx, d, statusInProgress)
		return err
	})
	if err != nil {
		return err
	}
	return s.writeXML(w, http.StatusCreated, "Distribution", resp, d.ETag, s.location(r, "distribution/"+string(d.ID)))
}

func (s *Server) handleDistributionGet(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	var (
		d    *keyfront.Distribution
		resp *node
	)
	err := s.store.View(ctx, func(tx keyfront.Tx) error {
		var err error
		d, err = tx.GetDistribution(ctx, keyfront.DistributionID(r.PathValue("Id")))
		if err != nil {
			return notFound(err, noSuchDistribution)
		}
		resp, err = s.distributionNode(ctx, tx, d, d.Status)
		return err
	})
	if err != nil {
		return err
	}
	return s.writeXML(w, http.StatusOK, "Distribution", resp, d.ETag, "")
}

func (s *Server) handleDistributionGetConfig(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	var d *keyfront.Distribution
	err := s.store.View(ctx, func(tx keyfront.Tx) error {
		var err error
		d, err = tx.GetDistribution(ctx, keyfront.DistributionID(r.PathValue("Id")))
		return notFound(err, noSuchDistribution)
	})
	if err != nil {
		return err
	}
	return s.writeXML(w, http.StatusOK, "DistributionConfig", &node{shape: shDistributionConfig, raw: d.Config}, d.ETag, "")
}

func (s *Server) handleDistributionUpdate(w http.ResponseWriter, r *http.Request) error {
	id := keyfront.DistributionID(r.PathValue("Id"))
	in, _, perr := s.parseDistributionBody(r, false)
	ctx := r.Context()
	var (
		d    *keyfront.Distribution
		resp *node
	)
	err := s.store.Update(ctx, func(tx keyfront.Tx) error {
		var err error
		d, err = tx.GetDistribution(ctx, id)
		if err != nil {
			return notFound(err, noSuchDistribution)
		}
		if err := checkIfMatch(ifMatch(r), d.ETag); err != nil {
			return err
		}
		if perr != nil {
			return perr
		}
		if in.callerRef != d.CallerReference {
			return errorf("IllegalUpdate", "You can't change the CallerReference of a distribution (%q to %q).", d.CallerReference, in.callerRef)
		}
		all, err := tx.ListDistributions(ctx, keyfront.Page{})
		if err != nil {
			return err
		}
		if err := s.checkDistribution(ctx, tx, in, all, id); err != nil {
			return err
		}
		d.ETag = s.newETag()
		d.Status = statusDeployed
		d.LastModifiedTime = s.now().UTC()
		d.Enabled = in.enabled
		d.Aliases = in.aliases
		d.KeyGroupIDs = in.keyGroupIDs
		d.OriginAccessControlIDs = in.oacIDs
		d.Config = in.raw
		if err := tx.PutDistribution(ctx, d); err != nil {
			return err
		}
		resp, err = s.distributionNode(ctx, tx, d, statusInProgress)
		return err
	})
	if err != nil {
		return err
	}
	return s.writeXML(w, http.StatusOK, "Distribution", resp, d.ETag, "")
}

func (s *Server) handleDistributionDelete(w http.ResponseWriter, r *http.Request) error {
	id := keyfront.DistributionID(r.PathValue("Id"))
	ctx := r.Context()
	err := s.store.Update(ctx, func(tx keyfront.Tx) error {
		d, err := tx.GetDistribution(ctx, id)
		if err != nil {
			return notFound(err, noSuchDistribution)
		}
		if err := checkIfMatch(ifMatch(r), d.ETag); err != nil {
			return err
		}
		if d.Enabled {
			return errorf("DistributionNotDisabled", msgDistributionNotDisabled)
		}
		return tx.DeleteDistribution(ctx, id)
	})
	if err != nil {
		return err
	}
	return writeNoContent(w)
}

// distributionSummary builds the DistributionSummary of d: the members it
// shares with DistributionConfig are copied from the stored configuration
// (§3.5), the rest come from the record.
func (s *Server) distributionSummary(d *keyfront.Distribution) (*node, error) {
	cfg, err := storedConfig(d)
	if err != nil {
		return nil, err
	}
	n := newNode(shDistributionSummary)
	cs := cfg.sh()
	for i, m := range n.sh().members {
		j := cs.memberIndex(m.name)
		if j < 0 || cfg.fields[j] == nil {
			continue
		}
		c := cfg.fields[j]
		if c.shape != m.shape && !(shapes[c.shape].kind == kindString && shapes[m.shape].kind == kindString) {
			continue
		}
		n.fields[i] = c
	}
	n.setText("Id", string(d.ID))
	n.setText("ARN", s.arn(d.ID))
	n.setText("ETag", d.ETag)
	n.setText("Status", d.Status)
	n.setTime("LastModifiedTime", d.LastModifiedTime)
	n.setText("DomainName", d.DomainName)
	return n, nil
}

func (s *Server) handleDistributionList(w http.ResponseWriter, r *http.Request) error {
	marker, maxItems, err := pageParams(r)
	if err != nil {
		return err
	}
	var dists []*keyfront.Distribution
	err = s.store.View(r.Context(), func(tx keyfront.Tx) error {
		var err error
		dists, err = tx.ListDistributions(r.Context(), keyfront.Page{Marker: marker, Limit: maxItems + 1})
		return err
	})
	if err != nil {
		return err
	}
	list := newNode(shDistributionList)
	dists = pageInto(list, dists, maxItems, func(d *keyfront.Distribution) string { return string(d.ID) }, true, marker)
	items := make([]*node, len(dists))
	for i, d := range dists {
		if items[i], err = s.distributionSummary(d); err != nil {
			return err
		}
	}
	setItems(list, items)
	return s.writeXML(w, http.StatusOK, "DistributionList", list, "", "")
}

func (s *Server) handleDistributionListByKeyGroup(w http.ResponseWriter, r *http.Request) error {
	marker, maxItems, err := pageParams(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	kg := keyfront.KeyGroupID(r.PathValue("KeyGroupId"))
	var ids []string
	err = s.store.View(ctx, func(tx keyfront.Tx) error {
		if _, err := tx.GetKeyGroup(ctx, kg); err != nil {
			return notFound(err, noSuchKeyGroup)
		}
		all, err := tx.ListDistributions(ctx, keyfront.Page{})
		if err != nil {
			return err
		}
		for _, d := range all {
			if string(d.ID) > marker && slices.Contains(d.KeyGroupIDs, kg) {
				ids = append(ids, string(d.ID))
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	slices.Sort(ids)
	list := newNode(shDistributionIdList)
	ids = pageInto(list, ids, maxItems, func(id string) string { return id }, true, marker)
	setQuantityItems(list, ids)
	return s.writeXML(w, http.StatusOK, "DistributionIdList", list, "", "")
}
