//! util.inspect's options (colors, compact, showHidden, breakLength, sorted, depth, …) and
//! util.formatWithOptions, compared with what Node 20 prints for the same handler
//! (`tests/fixtures/node-builtins/util_inspect.mjs`, printed once by
//! `node tests/fixtures/node-builtins/run-in-node.mjs util_inspect`).
#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a panic is a test failure with its location"
)]

mod common;

use common::node_fixtures::{node_gives, run_fixture};

#[tokio::test]
async fn util_inspect_options_print_as_node_does() {
    let expected = node_gives(
        r##"{
 "default": "{\n  name: 'order',\n  items: [\n    { sku: 'A1', qty: 2, tags: [Array] },\n    { sku: 'B2', qty: 1, tags: [] }\n  ],\n  total: 42.5,\n  shipped: false,\n  note: null,\n  when: undefined\n}",
 "colors": "{\n  s: \u001b[32m'text'\u001b[39m,\n  n: \u001b[33m1\u001b[39m,\n  b: \u001b[33mtrue\u001b[39m,\n  u: \u001b[90mundefined\u001b[39m,\n  x: \u001b[1mnull\u001b[22m,\n  sym: \u001b[32mSymbol(s)\u001b[39m,\n  big: \u001b[33m10n\u001b[39m,\n  d: \u001b[35m1970-01-01T00:00:00.000Z\u001b[39m,\n  re: \u001b[31m/a+/g\u001b[39m,\n  f: \u001b[36m[Function: f]\u001b[39m\n}",
 "compactFalse": "{\n  name: 'order',\n  items: [\n    {\n      sku: 'A1',\n      qty: 2,\n      tags: [Array]\n    },\n    {\n      sku: 'B2',\n      qty: 1,\n      tags: []\n    }\n  ],\n  total: 42.5,\n  shipped: false,\n  note: null,\n  when: undefined\n}",
 "compact1": "{\n  name: 'order',\n  items: [\n    { sku: 'A1', qty: 2, tags: [Array] },\n    { sku: 'B2', qty: 1, tags: [] }\n  ],\n  total: 42.5,\n  shipped: false,\n  note: null,\n  when: undefined\n}",
 "breakLength40": "{\n  name: 'order',\n  items: [\n    {\n      sku: 'A1',\n      qty: 2,\n      tags: [Array]\n    },\n    {\n      sku: 'B2',\n      qty: 1,\n      tags: []\n    }\n  ],\n  total: 42.5,\n  shipped: false,\n  note: null,\n  when: undefined\n}",
 "breakLengthInfinity": "{ name: 'order', items: [ { sku: 'A1', qty: 2, tags: [ 'new', 'sale' ] }, { sku: 'B2', qty: 1, tags: [] } ], total: 42.5, shipped: false, note: null, when: undefined }",
 "sorted": "{ a: 1, b: { y: 2, z: 1 }, c: 3 }",
 "showHidden": "[ 1, 2, 3, [length]: 3 ]",
 "showHiddenObject": "{ visible: 1, [hidden]: 2 }",
 "depth0": "{\n  name: 'order',\n  items: [Array],\n  total: 42.5,\n  shipped: false,\n  note: null,\n  when: undefined\n}",
 "longArray": "[\n    0,   7,  14,  21,  28,  35,  42,  49,\n   56,  63,  70,  77,  84,  91,  98, 105,\n  112, 119, 126, 133, 140, 147, 154, 161,\n  168, 175, 182, 189, 196, 203\n]",
 "maxArrayLength": "[ 0, 7, 14, 21, 28, ... 25 more items ]",
 "maxStringLength": "'xxxxxxxxxx'... 40 more characters",
 "map": "Map(2) { 'a' => { deep: [Object] }, 'b' => [ 1, 2 ] }",
 "set": "Set(2) { \u001b[32m'x'\u001b[39m, \u001b[32m'y'\u001b[39m }",
 "legacy": "{\n  name: 'order',\n  items: [Array],\n  total: 42.5,\n  shipped: false,\n  note: null,\n  when: undefined\n}",
 "class": "Point { x: 1, y: 2 }",
 "formatWithOptions": "value: {\n  a: [\n    \u001b[33m1\u001b[39m,\n    [length]: \u001b[33m1\u001b[39m\n  ]\n} and 5",
 "styles": [
  "yellow",
  "green",
  [
   33,
   39
  ]
 ],
 "defaultOptions": 80
}"##,
    );
    assert_eq!(run_fixture("util_inspect").await, expected);
}
