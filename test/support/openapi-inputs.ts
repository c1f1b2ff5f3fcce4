/**
 * Every text input the OpenAPI document declares (string fields of JSON
 * bodies, at any depth, and string query and path parameters), each with a
 * way to build a request that puts a chosen value there and valid values in
 * the path. Suites use it to try hostile text in every field, including
 * fields of routes added later, without listing them.
 */
import { randomUUID } from 'node:crypto';

type Schema = {
  $ref?: string;
  type?: string | string[];
  format?: string;
  example?: unknown;
  properties?: Record<string, Schema>;
  items?: Schema;
  allOf?: Schema[];
  anyOf?: Schema[];
  oneOf?: Schema[];
};
type Parameter = { name: string; in: string; required?: boolean; schema?: Schema };
type Operation = { parameters?: Parameter[]; requestBody?: { content?: Record<string, { schema?: Schema }> } };
export type OpenApiDocument = { paths: Record<string, Record<string, Operation>>; components?: { schemas?: Record<string, Schema> } };

export interface TextInput {
  /** `POST /signups` */
  operation: string;
  /** The failing field as the API names it in `details[].path`: `name`, `favoriteStyles.0`, `q`. */
  field: string;
  request(value: string): { method: string; path: string; body?: string };
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

function resolve(document: OpenApiDocument, schema: Schema | undefined): Schema {
  let current = schema ?? {};
  for (let depth = 0; current.$ref && depth < 10; depth++) {
    current = document.components?.schemas?.[current.$ref.replace('#/components/schemas/', '')] ?? {};
  }
  // A nullable or optional wrapper (anyOf: [X, null]) stands for X here.
  const variant = [...(current.allOf ?? []), ...(current.anyOf ?? []), ...(current.oneOf ?? [])].find(
    (item) => resolve(document, item).type !== 'null',
  );
  return variant && !current.type ? resolve(document, variant) : current;
}

const isType = (schema: Schema, type: string) => schema.type === type || (Array.isArray(schema.type) && schema.type.includes(type));

/** String leaves of a body schema: [path segments, where a number stands for the first array element]. */
function stringLeaves(document: OpenApiDocument, schema: Schema | undefined, depth = 0): (string | number)[][] {
  const resolved = resolve(document, schema);
  if (depth > 6) return [];
  if (isType(resolved, 'string')) return [[]];
  if (isType(resolved, 'array')) return stringLeaves(document, resolved.items, depth + 1).map((leaf) => [0, ...leaf]);
  return Object.entries(resolved.properties ?? {}).flatMap(([name, property]) =>
    stringLeaves(document, property, depth + 1).map((leaf) => [name, ...leaf]),
  );
}

/** Puts `value` at `segments` in a fresh JSON value. */
function nest(segments: (string | number)[], value: string): unknown {
  if (segments.length === 0) return value;
  const [head, ...rest] = segments;
  return typeof head === 'number' ? [nest(rest, value)] : { [head!]: nest(rest, value) };
}

/** A value the parameter's schema accepts, so that validation reaches the field under test. */
function validParameter(document: OpenApiDocument, parameter: Parameter): string {
  const schema = resolve(document, parameter.schema);
  if (schema.example !== undefined) return String(schema.example);
  if (isType(schema, 'integer') || isType(schema, 'number')) return '1';
  if (schema.format === 'uuid') return randomUUID();
  return 'x';
}

export function textInputs(document: OpenApiDocument): TextInput[] {
  const inputs: TextInput[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      if (!METHODS.includes(method)) continue;
      const label = `${method.toUpperCase()} ${path}`;
      const parameters = operation.parameters ?? [];
      const pathWith = (override?: { name: string; value: string }) =>
        path.replace(/\{(\w+)\}/g, (_, name: string) => {
          if (override?.name === name) return encodeURIComponent(override.value);
          const parameter = parameters.find((candidate) => candidate.in === 'path' && candidate.name === name);
          return encodeURIComponent(parameter ? validParameter(document, parameter) : 'x');
        });
      // The other required query parameters get valid values, so the answer is about the field under test alone.
      const queryWith = (override?: { name: string; value: string }) => {
        const query = new URLSearchParams();
        for (const parameter of parameters) {
          if (parameter.in !== 'query') continue;
          if (override?.name === parameter.name) query.set(parameter.name, override.value);
          else if (parameter.required) query.set(parameter.name, validParameter(document, parameter));
        }
        const text = query.toString();
        return text ? `?${text}` : '';
      };
      for (const parameter of parameters) {
        if (!['query', 'path'].includes(parameter.in) || !isType(resolve(document, parameter.schema), 'string')) continue;
        inputs.push({
          operation: label,
          field: parameter.name,
          request: (value) =>
            parameter.in === 'path'
              ? { method: method.toUpperCase(), path: `${pathWith({ name: parameter.name, value })}${queryWith()}` }
              : { method: method.toUpperCase(), path: `${pathWith()}${queryWith({ name: parameter.name, value })}` },
        });
      }
      const bodySchema = operation.requestBody?.content?.['application/json']?.schema;
      if (!bodySchema) continue;
      for (const leaf of stringLeaves(document, bodySchema)) {
        if (leaf.length === 0) continue; // a bare string body has no field to name
        inputs.push({
          operation: label,
          field: leaf.join('.'),
          request: (value) => ({ method: method.toUpperCase(), path: pathWith(), body: JSON.stringify(nest(leaf, value)) }),
        });
      }
    }
  }
  return inputs;
}
