package controlapi

import (
	"net/http"

	"keyfront"
	"keyfront/domain"
	"keyfront/model"
)

// Tags of distributions: CreateDistributionWithTags and the optional
// ListTagsForResource, TagResource and UntagResource (control-api.md §2).

// parseTags reads a Tags element; domain.CheckTags applies the rules.
func parseTags(n *model.Node, path string) ([]keyfront.Tag, error) {
	var tags []keyfront.Tag
	for _, it := range n.Get("Items").List() {
		t := keyfront.Tag{Key: it.Str("Key")}
		if v := it.Get("Value"); v != nil {
			text := v.Text()
			t.Value = &text
		}
		tags = append(tags, t)
	}
	return tags, domain.CheckTags(path, tags)
}

func tagsNode(tags []keyfront.Tag) *model.Node {
	n := model.NewNode(model.ShTags)
	var items []*model.Node
	for _, t := range tags {
		it := model.NewNode(model.ShTag)
		it.SetText("Key", t.Key)
		if t.Value != nil {
			it.SetText("Value", *t.Value)
		}
		items = append(items, it)
	}
	n.SetItems(items)
	return n
}

func (s *Server) handleTagsList(w http.ResponseWriter, r *http.Request) error {
	id, err := s.rules.TaggedDistribution(r.URL.Query().Get("Resource"))
	if err != nil {
		return err
	}
	var tags []keyfront.Tag
	err = s.store.View(r.Context(), func(tx keyfront.Tx) error {
		var err error
		tags, err = domain.DistributionTags(r.Context(), tx, id)
		return err
	})
	if err != nil {
		return err
	}
	return s.writeXML(w, http.StatusOK, "Tags", tagsNode(tags), "", "")
}

// handleTagsUpdate serves TagResource (?Operation=Tag) and UntagResource
// (?Operation=Untag).
func (s *Server) handleTagsUpdate(w http.ResponseWriter, r *http.Request) error {
	op := r.URL.Query().Get("Operation")
	if op != "Tag" && op != "Untag" {
		return errorf("NotImplemented", "keyfront does not implement POST /2020-05-31/tagging?Operation=%s.", op)
	}
	id, err := s.rules.TaggedDistribution(r.URL.Query().Get("Resource"))
	if err != nil {
		return err
	}
	var (
		add  []keyfront.Tag
		drop []string
	)
	if op == "Tag" {
		n, err := s.decodeBody(r, model.ShTags, "Tags", "RequestEntityTooLarge")
		if err != nil {
			return err
		}
		if add, err = parseTags(n, "Tags"); err != nil {
			return err
		}
	} else {
		n, err := s.decodeBody(r, model.ShTagKeys, "TagKeys", "RequestEntityTooLarge")
		if err != nil {
			return err
		}
		drop = n.Get("Items").Texts()
	}
	err = s.store.Update(r.Context(), func(tx keyfront.Tx) error {
		return domain.RetagDistribution(r.Context(), tx, id, add, drop)
	})
	if err != nil {
		return err
	}
	return writeNoContent(w)
}
