// Runs Neo4j's own Cypher front-end (lintCypherQuery of @neo4j-cypher/language-support) on
// statements read as JSON from stdin: {schema: {labels, relationshipTypes, propertyKeys},
// statements: [{text, parameters}]}. Prints, as JSON, the diagnostics of every statement.
import { lintCypherQuery } from '@neo4j-cypher/language-support';

let input = '';
process.stdin.setEncoding('utf8');
for await (const chunk of process.stdin) input += chunk;
const { schema, statements } = JSON.parse(input);
const results = statements.map(({ text, parameters }) => {
  const { diagnostics } = lintCypherQuery(text, { ...schema, parameters });
  return {
    text,
    diagnostics: diagnostics.map((d) => ({
      severity: d.severity === 1 ? 'error' : d.severity === 2 ? 'warning' : 'information',
      message: d.message,
      offset: d.offsets?.start,
    })),
  };
});
process.stdout.write(JSON.stringify(results));
