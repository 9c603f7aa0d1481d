package contracts

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// A contract pins what doppel does; the vendor documents less. The contract
// author marks, in the one contract file, what is doppel's choice rather
// than the vendor's documentation, with two OpenAPI extensions:
//
//	x-doppel-choice: true        on an operation: the vendor does not document it (any more);
//	                             on a response (a status): the vendor does not document that status;
//	                             on a schema or a property: its constraints are doppel's (a property
//	                             so marked is also not required by the vendor);
//	x-doppel-required: [a, b]    on an object schema: properties doppel requires beyond `required`
//	                             (e.g. deprecated fields the vendor still sends but no longer requires).
//
// From the file two views are derived, each with its own validators built
// once: the doppel view (everything: marks applied, x-doppel-required added
// to required) and the vendor view (the marked operations and responses
// removed, the marked schemas accepting anything, x-doppel-required
// ignored). The mock validates requests against the doppel view; the
// conformance suite validates each response against both: what breaks the
// vendor view fails a deployment, what breaks the doppel view only is
// reported apart, as a finding of doppel's contract. A file without marks
// has two identical views. Any other x-doppel-* key is an error.
const (
	markChoice   = "x-doppel-choice"
	markRequired = "x-doppel-required"
)

var httpMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// views holds a contract's two derived documents and what the vendor view
// leaves out.
type views struct {
	vendor, doppel []byte
	vendorLacks    map[string]bool // "METHOD /path" and "METHOD /path status" the vendor view removed
}

// derive builds both views of a contract's text.
func derive(raw []byte) (views, error) {
	if !bytes.Contains(raw, []byte("x-doppel-")) {
		return views{vendor: raw, doppel: raw}, nil
	}
	v := views{vendorLacks: map[string]bool{}}
	for _, vendor := range []bool{false, true} {
		var doc yaml.Node
		if err := yaml.Unmarshal(raw, &doc); err != nil {
			return views{}, err
		}
		d := deriver{vendor: vendor, lacks: v.vendorLacks}
		if len(doc.Content) > 0 {
			if _, _, err := d.node(doc.Content[0], nil); err != nil {
				return views{}, err
			}
		}
		out, err := yaml.Marshal(&doc)
		if err != nil {
			return views{}, err
		}
		if vendor {
			v.vendor = out
		} else {
			v.doppel = out
		}
	}
	return v, nil
}

// deriver rewrites a document into one view.
type deriver struct {
	vendor bool
	lacks  map[string]bool
}

// action is what becomes of a marked node in the vendor view.
type action int

const (
	keep   action = iota
	remove        // an operation or a response: dropped
	relax         // a schema: replaced by {} (anything)
)

// node rewrites a node found at path (the keys leading to it) and says
// what its parent must do with it; a properties map also names the
// properties it relaxed, which its owner no longer requires.
func (d *deriver) node(n *yaml.Node, path []string) (action, []string, error) {
	switch n.Kind {
	case yaml.SequenceNode:
		for i, c := range n.Content {
			a, _, err := d.node(c, append(slices.Clone(path), "[]"))
			if err != nil {
				return keep, nil, err
			}
			if a != keep {
				n.Content[i] = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
			}
		}
		return keep, nil, nil
	case yaml.MappingNode:
	default:
		return keep, nil, nil
	}
	where := strings.Join(path, ".")
	var choice bool
	var extra []string
	for i := 0; i < len(n.Content); {
		k, v := n.Content[i].Value, n.Content[i+1]
		switch {
		case k == markChoice:
			if v.Kind != yaml.ScalarNode || v.Value != "true" {
				return keep, nil, fmt.Errorf("%s.%s: want true", where, k)
			}
			choice = true
		case k == markRequired:
			if err := v.Decode(&extra); err != nil || len(extra) == 0 {
				return keep, nil, fmt.Errorf("%s.%s: want a list of property names", where, k)
			}
		case strings.HasPrefix(k, "x-doppel-"):
			return keep, nil, fmt.Errorf("%s.%s: unknown mark; want %s or %s", where, k, markChoice, markRequired)
		default:
			i += 2
			continue
		}
		n.Content = slices.Delete(n.Content, i, i+2)
	}
	var relaxed []string // this properties map's properties relaxed in the vendor view
	isProperties := len(path) > 0 && path[len(path)-1] == "properties"
	for i := 0; i < len(n.Content); i += 2 {
		k, v := n.Content[i].Value, n.Content[i+1]
		if k == "example" || k == "examples" {
			continue
		}
		a, unrequired, err := d.node(v, append(slices.Clone(path), k))
		if err != nil {
			return keep, nil, err
		}
		if k == "properties" && len(unrequired) > 0 {
			defer setRequired(n, func(req []string) []string {
				return slices.DeleteFunc(req, func(r string) bool { return slices.Contains(unrequired, r) })
			})
		}
		switch a {
		case remove:
			n.Content = slices.Delete(n.Content, i, i+2)
			i -= 2
		case relax:
			n.Content[i+1] = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
			if isProperties {
				relaxed = append(relaxed, k)
			}
		}
	}
	if len(extra) > 0 && !d.vendor {
		setRequired(n, func(req []string) []string {
			for _, e := range extra {
				if !slices.Contains(req, e) {
					req = append(req, e)
				}
			}
			return req
		})
	}
	return d.mark(path, choice), relaxed, nil
}

// mark says what becomes of a node marked x-doppel-choice in the vendor
// view, by where it is: an operation and a response are removed (and
// remembered as what the vendor lacks), anything else is a schema, relaxed.
func (d *deriver) mark(path []string, choice bool) action {
	if !choice || !d.vendor {
		return keep
	}
	l := len(path)
	switch {
	case l >= 3 && path[l-3] == "paths" && slices.Contains(httpMethods, path[l-1]):
		d.lacks[strings.ToUpper(path[l-1])+" "+path[l-2]] = true
		return remove
	case l >= 2 && path[l-2] == "responses":
		if l >= 5 && path[l-5] == "paths" {
			d.lacks[strings.ToUpper(path[l-3])+" "+path[l-4]+" "+path[l-1]] = true
		}
		return remove
	}
	return relax
}

// setRequired rewrites a schema's required list (creating or dropping it).
func setRequired(n *yaml.Node, change func([]string) []string) {
	for i := 0; i < len(n.Content); i += 2 {
		if n.Content[i].Value != "required" {
			continue
		}
		var req []string
		_ = n.Content[i+1].Decode(&req)
		if req = change(req); len(req) == 0 {
			n.Content = slices.Delete(n.Content, i, i+2)
		} else {
			_ = n.Content[i+1].Encode(req)
		}
		return
	}
	if req := change(nil); len(req) > 0 {
		var list yaml.Node
		_ = list.Encode(req)
		n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: "required"}, &list)
	}
}
