package emporix

import (
	"net/http"
	"slices"
	"strings"

	"github.com/doppel-dev/doppel/mockserver/face"
	"github.com/doppel-dev/doppel/mockserver/identity"
	"github.com/doppel-dev/doppel/mockserver/store"
)

// addressKeys are the keys an address response derives, never stored as fields.
func isAddressField(key string) bool { return key != "id" && key != "isDefault" && key != "tags" }

// newAddress turns a request body into an address of a customer.
func newAddress(customerID string, body map[string]any) store.Address {
	a := store.Address{CustomerID: customerID, Fields: face.MergePatch(nil, body, isAddressField)}
	a.Tags = tagList(body["tags"])
	a.Default, _ = body["isDefault"].(bool)
	return a
}

func tagList(v any) []string {
	raw, _ := v.([]any)
	tags := []string{}
	for _, t := range raw {
		if s, ok := t.(string); ok && !slices.Contains(tags, s) {
			tags = append(tags, s)
		}
	}
	return tags
}

func renderAddress(a *store.Address) map[string]any {
	out := make(map[string]any, len(a.Fields)+3)
	for k, v := range a.Fields {
		out[k] = v
	}
	out["id"], out["isDefault"], out["tags"] = a.ID, a.Default, a.Tags
	if a.Tags == nil {
		out["tags"] = []string{}
	}
	return out
}

func renderAddresses(list []*store.Address) []map[string]any {
	out := make([]map[string]any, 0, len(list))
	for _, a := range list {
		out = append(out, renderAddress(a))
	}
	return out
}

func (f *Face) addAddress(c *face.Call) error {
	var body map[string]any
	if err := c.Decode(&body); err != nil {
		return err
	}
	tok := caller(c)
	a := newAddress(tok.CustomerID, body)
	var seen identity.AddressCount // counted before the write, which then only checks it still holds
	_ = f.id.Read(func(tx *identity.Tx) error {
		seen = tx.CountAddresses(tok.CustomerID)
		return nil
	})
	var id string
	err := f.id.Write(func(tx *identity.Tx) error {
		if _, err := customerOf(tx, tok); err != nil {
			return err
		}
		if !tx.AddressRoomSince(seen, tok.CustomerID) {
			return badRequest("A customer can have at most %d addresses.", identity.MaxAddresses)
		}
		id = tx.AddAddress(a).ID
		return nil
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, createdID{ID: id})
}

// createdID is the answer to a create.
type createdID struct {
	ID string `json:"id"`
}

func (f *Face) listAddresses(c *face.Call) error {
	var out []map[string]any
	err := f.id.Read(func(tx *identity.Tx) error {
		out = renderAddresses(tx.Addresses(caller(c).CustomerID))
		return nil
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// address loads the path's address of the calling customer.
func address(tx *identity.Tx, c *face.Call) (*store.Address, error) {
	tok := caller(c)
	cust, err := customerOf(tx, tok)
	if err != nil {
		return nil, err
	}
	id := c.R.PathValue("addressId")
	a, err := tx.Address(cust.ID, id)
	if err != nil {
		return nil, face.Errorf(http.StatusNotFound, codeNotFound,
			"Address %s of customer %s not found.", id, cust.Number)
	}
	return a, nil
}

func (f *Face) getAddress(c *face.Call) error {
	var out map[string]any
	err := f.id.Read(func(tx *identity.Tx) error {
		a, err := address(tx, c)
		if err == nil {
			out = renderAddress(a)
		}
		return err
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

func (f *Face) patchAddress(c *face.Call) error {
	var patch map[string]any
	if err := c.Decode(&patch); err != nil {
		return err
	}
	return f.write(c, http.StatusOK, func(tx *identity.Tx) error {
		a, err := address(tx, c)
		if err != nil {
			return err
		}
		cp := *a
		cp.Fields = face.MergePatch(a.Fields, patch, isAddressField)
		if tags, ok := patch["tags"]; ok {
			cp.Tags = tagList(tags)
		}
		if def, _ := patch["isDefault"].(bool); def {
			cp.Default = true // unsetting the default is ignored: one address stays default
		}
		tx.SaveAddress(&cp)
		return nil
	})
}

func (f *Face) deleteAddress(c *face.Call) error {
	return f.write(c, http.StatusNoContent, func(tx *identity.Tx) error {
		a, err := address(tx, c)
		if err == nil {
			tx.DeleteAddress(a)
		}
		return err
	})
}

// queryTags parses ?tags=A,B.
func queryTags(c *face.Call) []string {
	var tags []string
	for _, t := range strings.Split(c.R.URL.Query().Get("tags"), ",") {
		if t = strings.TrimSpace(t); t != "" && !slices.Contains(tags, t) {
			tags = append(tags, t)
		}
	}
	return tags
}

func (f *Face) addTags(c *face.Call) error {
	return f.retag(c, func(have []string, tags []string) []string {
		for _, t := range tags {
			if !slices.Contains(have, t) {
				have = append(have, t)
			}
		}
		return have
	})
}

func (f *Face) removeTags(c *face.Call) error {
	return f.retag(c, func(have []string, tags []string) []string {
		return slices.DeleteFunc(have, func(t string) bool { return slices.Contains(tags, t) })
	})
}

func (f *Face) retag(c *face.Call, change func(have, tags []string) []string) error {
	tags := queryTags(c)
	if len(tags) == 0 {
		return badRequest("Query parameter 'tags' must name at least one tag.")
	}
	return f.write(c, http.StatusNoContent, func(tx *identity.Tx) error {
		a, err := address(tx, c)
		if err != nil {
			return err
		}
		cp := *a
		cp.Tags = change(slices.Clone(a.Tags), tags)
		tx.SaveAddress(&cp)
		return nil
	})
}
