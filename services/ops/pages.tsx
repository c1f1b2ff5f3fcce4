/** @jsxImportSource hono/jsx */
/**
 * The console's pages, rendered on the server with hono/jsx (escaped by
 * default). No script at all: actions are plain forms, so a policy of
 * `default-src 'none'` with same-origin styles and forms holds.
 */
import type { Child } from 'hono/jsx';
import type { EventView, TopicView } from '../platform/kafka-inspect.ts';
import type { OverviewData, SagaRow } from './ops-data.ts';

const Layout = (props: { title: string; children: Child }) => (
  <html lang="en">
    <head>
      <meta charset="utf-8" />
      <title>{props.title}</title>
      <link rel="stylesheet" href="/ops/assets/ops.css" />
    </head>
    <body>
      <header>
        <a href="/ops">Operations</a> · <a href="/ops/topics">Topics</a> · <a href="/docs">API docs</a>
      </header>
      <main>{props.children}</main>
    </body>
  </html>
);

export const SignInPage = (props: { message?: string }) => (
  <Layout title="Operations sign-in">
    <h1>Operations console</h1>
    <p>Sign in as an administrator.</p>
    {props.message ? (
      <p role="alert">
        <strong>{props.message}</strong>
      </p>
    ) : null}
    <form method="post" action="/ops/login" class="signin">
      <label>
        Email <input name="email" type="email" autocomplete="username" required />
      </label>
      <label>
        Password <input name="password" type="password" autocomplete="current-password" required />
      </label>
      <button type="submit">Sign in</button>
    </form>
  </Layout>
);

export const MessagePage = (props: { title: string; message: string }) => (
  <Layout title={props.title}>
    <h1>{props.title}</h1>
    <p>{props.message}</p>
  </Layout>
);

const SagaLink = (props: { row: SagaRow; link: (id: string) => string | undefined }) => {
  const href = props.link(props.row.workflowId);
  return href ? <a href={href}>{props.row.workflowId}</a> : <span>{props.row.workflowId}</span>;
};

function countBy(rows: SagaRow[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const row of rows) counts.set(`${row.sagaType} · ${row.sagaStatus}`, (counts.get(`${row.sagaType} · ${row.sagaStatus}`) ?? 0) + 1);
  return [...counts].sort(([a], [b]) => a.localeCompare(b));
}

export const OverviewPage = (props: { data: OverviewData; link: (id: string) => string | undefined; notice?: string }) => {
  const { data } = props;
  return (
    <Layout title="Operations">
      <h1>Operations</h1>
      {props.notice ? (
        <p class="notice" role="status">
          {props.notice}
        </p>
      ) : null}

      <section id="needs-operator">
        <h2>Sagas that need an operator ({data.needsOperator.length})</h2>
        {data.needsOperator.length === 0 ? (
          <p>None: every undo succeeded.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th>saga</th>
                <th>type</th>
                <th>book</th>
                <th>started</th>
                <th>actions</th>
              </tr>
            </thead>
            <tbody>
              {data.needsOperator.map((row) => (
                <tr>
                  <td>
                    <SagaLink row={row} link={props.link} />
                  </td>
                  <td>{row.sagaType}</td>
                  <td>{row.bookNo ?? ''}</td>
                  <td>{row.startTime}</td>
                  <td>
                    <form method="post" action={`/ops/sagas/${encodeURIComponent(row.workflowId)}/retry`} class="inline">
                      <button type="submit">Retry the undo</button>
                    </form>
                    <form method="post" action={`/ops/sagas/${encodeURIComponent(row.workflowId)}/resolve`} class="inline">
                      <input name="note" placeholder="what was done by hand" required maxlength={500} />
                      <button type="submit">Resolved by hand</button>
                    </form>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section id="recent-sagas">
        <h2>Recent sagas and loans</h2>
        <p class="counts">
          {countBy(data.recent).map(([what, count]) => (
            <span class="chip">
              {what}: {count}
            </span>
          ))}
        </p>
        <table>
          <thead>
            <tr>
              <th>workflow</th>
              <th>type</th>
              <th>status</th>
              <th>book</th>
              <th>started</th>
              <th>closed</th>
            </tr>
          </thead>
          <tbody>
            {data.recent.map((row) => (
              <tr class={`status-${row.sagaStatus.toLowerCase()}`}>
                <td>
                  <SagaLink row={row} link={props.link} />
                </td>
                <td>{row.sagaType}</td>
                <td>{row.sagaStatus}</td>
                <td>{row.bookNo ?? ''}</td>
                <td>{row.startTime}</td>
                <td>{row.closeTime ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section id="outbox">
        <h2>Outbox backlog</h2>
        <table>
          <thead>
            <tr>
              <th>service</th>
              <th>unpublished rows</th>
              <th>oldest (s)</th>
            </tr>
          </thead>
          <tbody>
            {data.outboxes.map((row) => (
              <tr>
                <td>{row.outbox}</td>
                <td>{row.backlog}</td>
                <td>{row.oldestSeconds}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section id="consumer-lag">
        <h2>Consumer lag</h2>
        <table>
          <thead>
            <tr>
              <th>group</th>
              <th>topic</th>
              <th>lag</th>
            </tr>
          </thead>
          <tbody>
            {data.lags.map((row) => (
              <tr>
                <td>{row.groupId}</td>
                <td>
                  <a href={`/ops/topics/${encodeURIComponent(row.topic)}`}>{row.topic}</a>
                </td>
                <td>{row.lag}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section id="dead-letters">
        <h2>Dead letters</h2>
        <table>
          <thead>
            <tr>
              <th>topic</th>
              <th>messages</th>
              <th>unhandled</th>
              <th>by group</th>
              <th>actions</th>
            </tr>
          </thead>
          <tbody>
            {data.deadLetters.map((row) => {
              const topic = row.topic.replace(/\.dlq$/, '');
              return (
                <tr>
                  <td>
                    <a href={`/ops/topics/${encodeURIComponent(row.topic)}`}>{row.topic}</a>
                  </td>
                  <td>{row.messages}</td>
                  <td>{row.unhandled}</td>
                  <td>
                    {Object.entries(row.groups)
                      .map(([group, count]) => `${group}: ${count}`)
                      .join(', ')}
                  </td>
                  <td>
                    {row.unhandled > 0 ? (
                      <>
                        <form method="post" action={`/ops/dead-letters/${encodeURIComponent(topic)}/redrive`} class="inline">
                          <button type="submit">Re-drive to {topic}</button>
                        </form>
                        <DiscardForm topic={topic} label="Discard all unhandled" />
                      </>
                    ) : null}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </section>
    </Layout>
  );
};

/** Settles dead letters without re-driving them; the reason is kept beside them (`npm run dlq -- list --all` shows it). */
const DiscardForm = (props: { topic: string; letter?: string; label: string }) => (
  <form method="post" action={`/ops/dead-letters/${encodeURIComponent(props.topic)}/discard`} class="inline">
    {props.letter ? <input type="hidden" name="letter" value={props.letter} /> : null}
    <input
      name="reason"
      placeholder="why no re-drive is needed"
      aria-label={`Reason to discard${props.letter ? ` ${props.letter}` : ''}`}
      required
      minlength={3}
      maxlength={500}
    />
    <button type="submit">{props.label}</button>
  </form>
);

export const TopicsPage = (props: { topics: TopicView[] }) => (
  <Layout title="Topics">
    <h1>Topics</h1>
    <table>
      <thead>
        <tr>
          <th>topic</th>
          <th>partitions</th>
          <th>messages retained</th>
          <th>retention (ms)</th>
        </tr>
      </thead>
      <tbody>
        {props.topics.map((view) => (
          <tr>
            <td>
              <a href={`/ops/topics/${encodeURIComponent(view.topic)}`}>{view.topic}</a>
            </td>
            <td>{view.partitions.length}</td>
            <td>{view.messages}</td>
            <td>{view.retentionMs ?? ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  </Layout>
);

type LetterStatuses = Map<string, { group: string; status: string; note?: string }>;

export const TopicPage = (props: {
  view: TopicView;
  events: EventView[];
  letters?: LetterStatuses | undefined;
  search: { key?: string; aggregateId?: string; limit: number };
}) => (
  <Layout title={props.view.topic}>
    <h1>{props.view.topic}</h1>
    <table>
      <thead>
        <tr>
          <th>partition</th>
          <th>leader</th>
          <th>replicas</th>
          <th>in sync</th>
          <th>low</th>
          <th>high</th>
        </tr>
      </thead>
      <tbody>
        {props.view.partitions.map((p) => (
          <tr>
            <td>{p.partition}</td>
            <td>{p.leader}</td>
            <td>{p.replicas.join(', ')}</td>
            <td>{p.isr.join(', ')}</td>
            <td>{p.low}</td>
            <td>{p.high}</td>
          </tr>
        ))}
      </tbody>
    </table>
    <form method="get" action={`/ops/topics/${encodeURIComponent(props.view.topic)}`} class="search">
      <label>
        Key <input name="key" value={props.search.key ?? ''} />
      </label>
      <label>
        Aggregate id <input name="aggregateId" value={props.search.aggregateId ?? ''} />
      </label>
      <label>
        Last <input name="limit" type="number" min={1} max={200} value={String(props.search.limit)} />
      </label>
      <button type="submit">Show</button>
    </form>
    <h2>Last {props.events.length} event(s), newest first</h2>
    {props.events.map((event) => (
      <article class="event">
        <p class="meta">
          partition {event.partition} · offset {event.offset} · key {event.key ?? '(none)'} · {event.timestamp}
        </p>
        <pre>{JSON.stringify(event.envelope ?? { raw: event.raw }, null, 2)}</pre>
        {Object.keys(event.headers).length > 0 ? <pre class="headers">{JSON.stringify(event.headers, null, 2)}</pre> : null}
        <LetterActions topic={props.view.topic} position={`${event.partition}:${event.offset}`} letters={props.letters} />
      </article>
    ))}
  </Layout>
);

/** On a dead-letter topic: what became of a letter, and a discard form while nobody settled it. */
const LetterActions = (props: { topic: string; position: string; letters: LetterStatuses | undefined }) => {
  const letter = props.letters?.get(props.position);
  if (!letter) return null; // not a dead-letter topic, or an operator's record
  return (
    <p class="letter">
      letter of group {letter.group}: <strong>{letter.status}</strong>
      {letter.note ? ` (${letter.note})` : ''}
      {letter.status === 'unhandled' ? (
        <DiscardForm topic={props.topic.replace(/\.dlq$/, '')} letter={props.position} label="Discard this letter" />
      ) : null}
    </p>
  );
};
