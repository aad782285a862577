/**
 * A compiled response serializer for hot read routes (the queue): the route keeps its zod response schema — the
 * OpenAPI document and the web app's types come from it — but its 2xx body is written by fast-json-stringify,
 * compiled once from that schema's JSON Schema, instead of being parsed by zod and then JSON.stringify'd on every
 * request (for a queue page of 50 tickets with their clocks that parse was the largest single server cost).
 *
 * The output is the same JSON as the zod serializer's for a body that matches the schema: the schema's properties
 * in the schema's order, properties it does not declare left out, `undefined` optionals absent. What it does not do
 * is check the body: use it only where a presenter builds the body field by field from typed rows (the route's
 * tests compare its answers with the schema).
 */
import type { FastifyRouteSchemaDef } from 'fastify/types/schema';
import fastJson from 'fast-json-stringify';
import { z } from 'zod';

type Json = Record<string, unknown>;

/**
 * The schema as fast-json-stringify should read it: zod's nullable (`anyOf: [{type: X, …}, {type: 'null'}]`) as
 * `type: [X, 'null']`, so it needs no validator to pick a branch; without `required` lists, so it keeps the
 * schema's property order (it would write required properties first).
 */
function simplify(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(simplify);
  if (node === null || typeof node !== 'object') return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node as Json)) {
    // `required` goes: fast-json-stringify writes required properties first, zod writes the schema's order.
    if (k === '$schema' || (k === 'required' && Array.isArray(v))) continue;
    out[k] = simplify(v);
  }
  const any = out.anyOf;
  if (Array.isArray(any) && any.length === 2) {
    const nul = any.findIndex((b) => (b as Json).type === 'null' && Object.keys(b as Json).length === 1);
    const other = any[1 - nul] as Json | undefined;
    if (nul >= 0 && other && typeof other.type === 'string' && !('anyOf' in other) && !('$ref' in other)) {
      delete out.anyOf;
      return { ...out, ...other, type: [other.type, 'null'] };
    }
  }
  return out;
}

/** The JSON Schema fast-json-stringify compiles for a zod response schema (exported for the test that compares outputs). */
export function serializationSchema(schema: z.ZodType): Json {
  return simplify(z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any' })) as Json;
}

/** Route option `serializerCompiler` for a route whose response schemas are zod: compiles each of them once. */
export function compiledSerializerCompiler<T>({ schema }: FastifyRouteSchemaDef<T>): (data: unknown) => string {
  return fastJson(serializationSchema(schema as unknown as z.ZodType) as unknown as Parameters<typeof fastJson>[0]);
}
