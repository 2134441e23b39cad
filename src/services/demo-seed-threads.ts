import type { Principal } from '../domain/policy/access-label.ts';
import type { ThreadName } from '../domain/policy/case-thread.policy.ts';
import type { DemoContext } from './demo-seed-context.ts';

/**
 * `seed --demo`, issue 9: a short, realistic discussion on the demo case (the first of `ctx.cases`, made by the cases
 * part, which tells of a fix in 2.4.1 and an extension request): the coordinator's opening, the vendor's answer, the
 * reporter verifying the fix with its proof of concept (the file attached), the coordinator's reply, and one internal
 * note. Each message is posted through the thread service as the
 * demo organisation's administrator; a message whose author's organisation does not take part in the case is left out
 * (and said so), so this part stays right whatever the cases part decides about participants.
 */
export async function seedDemoThreads(ctx: DemoContext): Promise<void> {
  const caseId = [...ctx.cases.values()][0];
  if (!caseId) {
    ctx.lines.push('Case thread: none (no demo case was made to discuss).');
    return;
  }
  const threads = ctx.c.services.caseThreads;
  const canPost = async (actor: Principal | undefined, thread: ThreadName) => {
    if (!actor) return false;
    try {
      return (await threads.threads(actor, caseId)).some((t) => t.name === thread && t.canPost);
    } catch {
      return false;
    }
  };
  const coordinator = ctx.actors.get('coordinator');
  const vendor = ctx.actors.get('vendor');
  let reporter: Principal | undefined;
  for (const key of ['ai-lab-1', 'ai-lab-2']) {
    if (await canPost(ctx.actors.get(key), 'participants')) {
      reporter = ctx.actors.get(key);
      break;
    }
  }
  const posted: string[] = [];
  const skipped: string[] = [];
  const say = async (who: string, actor: Principal | undefined, thread: ThreadName, body: string, replyTo?: string) => {
    if (!(await canPost(actor, thread))) {
      skipped.push(who);
      return undefined;
    }
    const m = await threads.post(actor!, caseId, thread, { body, ...(replyTo ? { replyTo } : {}) });
    posted.push(`${who} (${thread})`);
    return m;
  };

  const opening = await say('coordinator', coordinator, 'participants', [
    'Thank you all for joining. We **reproduced** the reported issue on a default installation:',
    '',
    '1. an unauthenticated request with a crafted session cookie reaches the admin console;',
    '2. from there, configuration can be changed without any further check.',
    '',
    'Vendor: could you confirm the **affected versions** and tell us when a fix can ship? ' +
      'Please keep your status in the status table up to date.',
  ].join('\n'));
  const answer = await say('vendor', vendor, 'participants', [
    'Confirmed on our side: `2.0.0` to `2.3.x` are affected; `1.x` has no admin console.',
    '',
    '**2.4.1** is out with the fix (session cookies are now signed and checked before the admin console is reached).',
    'Until it is installed, block `/admin` at the reverse proxy:',
    '',
    '```nginx',
    'location /admin { deny all; }',
    '```',
    '',
    'Two large grid operators need a maintenance window to roll it out, so we have asked for two more weeks before the public date.',
  ].join('\n'), opening?.id);
  const offer = await say('reporter', reporter, 'participants', [
    'We ran our proof of concept (attached: a plain HTTP request, no exploit code) against 2.4.1: the forged cookie is refused.',
    '',
    '> Found by an automated scanning campaign; a human confirmed it before reporting.',
  ].join('\n'), answer?.id ?? opening?.id);
  if (offer && reporter) {
    const poc = Buffer.from('GET /admin/settings HTTP/1.1\r\nHost: gateway.example\r\nCookie: session=AAAA-forged-demo-value\r\n\r\n');
    await threads.attach(reporter, caseId, 'participants', offer.id, { body: poc, filename: 'poc-request.http', mediaType: 'text/plain', declaredSize: poc.length });
  }
  await say('coordinator', coordinator, 'participants', 'Thanks, both. We will answer the extension request this week and draft the advisory from the vendor\'s statement, crediting the reporter.', offer?.id ?? answer?.id);
  await say('coordinator', coordinator, 'internal', [
    'Internal note: the vendor answered within a day and shipped a fix; the extension is for operators\' maintenance windows, not for the fix.',
    'Lean towards accepting the two weeks; no need to involve the sector regulator.',
  ].join('\n'));

  ctx.lines.push(`Case thread: ${posted.length} messages (${posted.join(', ')})${skipped.length ? `; not posted, not taking part: ${[...new Set(skipped)].join(', ')}` : ''}.`);
}
