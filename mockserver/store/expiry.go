package store

import (
	"encoding/binary"
	"fmt"
	"reflect"
	"time"
)

// timeIndex indexes a time.Time field in time order (Unix seconds, sign
// flipped, then nanoseconds, big-endian), so that records can be visited
// from the earliest: sweeping expired ones costs what it removes.
type timeIndex struct{ Field string }

func encodeTime(t time.Time) []byte {
	b := make([]byte, 12)
	binary.BigEndian.PutUint64(b, uint64(t.Unix())^1<<63)
	binary.BigEndian.PutUint32(b[8:], uint32(t.Nanosecond()))
	return b
}

// FromObject implements memdb.SingleIndexer.
func (x *timeIndex) FromObject(obj any) (bool, []byte, error) {
	v := reflect.Indirect(reflect.ValueOf(obj)).FieldByName(x.Field)
	t, ok := v.Interface().(time.Time)
	if !ok {
		return false, nil, fmt.Errorf("field %s of %T is not a time.Time", x.Field, obj)
	}
	return true, encodeTime(t), nil
}

// FromArgs implements memdb.Indexer.
func (x *timeIndex) FromArgs(args ...any) ([]byte, error) {
	if len(args) != 1 {
		return nil, fmt.Errorf("one time.Time argument expected, got %d", len(args))
	}
	t, ok := args[0].(time.Time)
	if !ok {
		return nil, fmt.Errorf("argument %T is not a time.Time", args[0])
	}
	return encodeTime(t), nil
}
