import {
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputField,
  type GraphQLNamedType,
  type GraphQLSchema,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isIntrospectionType,
  isObjectType,
  isScalarType,
  isSpecifiedScalarType,
  isUnionType,
  lexicographicSortSchema,
} from 'graphql';

/**
 * docs/API.md's reference half, rendered from the schema's own descriptions: every query,
 * mutation and type with its arguments and fields. The hand-written half (endpoints, credentials,
 * errors, paging, limits) stays above GENERATED_MARKER; `npm run schema:emit` rewrites what is
 * below it, and test/api-docs.test.ts fails while it is stale.
 */
export const GENERATED_MARKER =
  '<!-- Everything below is generated from the schema by `npm run schema:emit`; edit the descriptions in src/, not this file. -->';

const cell = (text: string | null | undefined) => (text ?? '').replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');

function argumentList(args: readonly GraphQLArgument[]): string {
  if (args.length === 0) return '';
  return `(${args.map((a) => `${a.name}: ${a.type}${a.defaultValue !== undefined ? ` = ${JSON.stringify(a.defaultValue)}` : ''}`).join(', ')})`;
}

function deprecation(reason: string | null | undefined): string {
  return reason ? ` **Deprecated:** ${reason}` : '';
}

function rootFields(title: string, fields: GraphQLField<unknown, unknown>[]): string[] {
  const lines = [`## ${title}`, ''];
  for (const field of fields) {
    lines.push(`### \`${field.name}${argumentList(field.args)}: ${field.type}\``, '');
    if (field.description) lines.push(field.description.trim(), '');
    if (field.deprecationReason) lines.push(deprecation(field.deprecationReason).trim(), '');
    if (field.args.length) {
      lines.push('| argument | type | description |', '| --- | --- | --- |');
      for (const arg of field.args) lines.push(`| \`${arg.name}\` | \`${arg.type}\` | ${cell(arg.description)} |`);
      lines.push('');
    }
  }
  return lines;
}

function fieldRows(fields: (GraphQLField<unknown, unknown> | GraphQLInputField)[]): string[] {
  const rows = ['| field | type | description |', '| --- | --- | --- |'];
  for (const field of fields) {
    const args = 'args' in field ? argumentList(field.args) : '';
    rows.push(`| \`${field.name}${args}\` | \`${field.type}\` | ${cell(field.description)}${cell(deprecation(field.deprecationReason))} |`);
  }
  return rows;
}

function typeSection(type: GraphQLNamedType): string[] {
  const kind = isObjectType(type)
    ? 'object'
    : isInterfaceType(type)
      ? 'interface'
      : isInputObjectType(type)
        ? 'input'
        : isEnumType(type)
          ? 'enum'
          : isUnionType(type)
            ? 'union'
            : 'scalar';
  const lines = [`### \`${type.name}\` (${kind})`, ''];
  if (type.description) lines.push(type.description.trim(), '');
  if ((isObjectType(type) || isInterfaceType(type)) && type.getInterfaces().length) {
    lines.push(`Implements ${type.getInterfaces().map((i) => `\`${i.name}\``).join(', ')}.`, '');
  }
  if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) {
    lines.push(...fieldRows(Object.values(type.getFields())), '');
  } else if (isEnumType(type)) {
    lines.push('| value | description |', '| --- | --- |');
    for (const value of type.getValues()) lines.push(`| \`${value.name}\` | ${cell(value.description)}${cell(deprecation(value.deprecationReason))} |`);
    lines.push('');
  } else if (isUnionType(type)) {
    lines.push(`One of ${type.getTypes().map((t) => `\`${t.name}\``).join(', ')}.`, '');
  }
  return lines;
}

export function renderApiReference(apiSchema: GraphQLSchema): string {
  const schema = lexicographicSortSchema(apiSchema);
  const query = schema.getQueryType();
  const mutation = schema.getMutationType();
  const roots = new Set([query?.name, mutation?.name, schema.getSubscriptionType()?.name]);
  const types = Object.values(schema.getTypeMap()).filter(
    (type) => !isIntrospectionType(type) && !roots.has(type.name) && !(isScalarType(type) && isSpecifiedScalarType(type)),
  );
  const lines = [
    GENERATED_MARKER,
    '',
    ...(query ? rootFields('Queries', Object.values(query.getFields())) : []),
    ...(mutation ? rootFields('Mutations', Object.values(mutation.getFields())) : []),
    '## Types',
    '',
    ...types.flatMap(typeSection),
  ];
  return lines.join('\n').replace(/\n+$/, '\n');
}

/** The whole of docs/API.md: its hand-written head as it stands, then the reference for `schema`. */
export function apiDocument(current: string, schema: GraphQLSchema): string {
  const markerAt = current.indexOf(GENERATED_MARKER);
  const head = markerAt === -1 ? current.trimEnd() + '\n\n' : current.slice(0, markerAt);
  return head + renderApiReference(schema);
}
