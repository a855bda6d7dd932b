/** A small valid stimulus-set YAML document, line numbers stable for location tests. */
export const VALID_YAML = `format: moral-plantain/stimuli@1
name: tiny
version: 1.0.0
axis: moral valence
description: A tiny set for tests.
conditions:
  a: helping
  b: ignoring
language: en
license: Apache-2.0
categories: [honesty, care]
pairs:
  - id: p-1
    category: honesty
    scene: shop
    agents: [cashier, customer]
    a: A cashier and a customer handing back the change.
    b: A cashier and a customer pocketing the change.
  - id: p-2
    category: care
    scene: park
    agents: [boy]
    a: A boy comforting a lost puppy in the park.
    b: A boy ignoring a lost puppy in the park.
`;
