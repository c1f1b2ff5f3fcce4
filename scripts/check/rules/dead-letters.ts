import { listDeadLetters, type DeadLetter } from '../../dead-letters.ts';
import { READ_MODEL_GROUPS } from '../../../services/read-models.ts';
import type { Rule } from '../types.ts';

/** The read models' letters that no operator has re-driven or discarded. */
export function unhandledLetters(
  letters: Pick<DeadLetter, 'group' | 'status'>[],
  groups: readonly string[] = Object.values(READ_MODEL_GROUPS),
) {
  return letters.filter((letter) => letter.status === 'unhandled' && groups.includes(letter.group));
}

/** Every dead letter of a read model's group is handled: re-driven or discarded with a reason (npm run dlq). */
export const deadLettersHandled: Rule = {
  name: 'dead letters handled',
  needs: ['kafka'],
  async check({ kafka }) {
    return unhandledLetters(await listDeadLetters(kafka!)).map((letter) => {
      const full = letter as DeadLetter;
      return {
        rule: this.name,
        subject: `${full.topic}.dlq ${full.position}`,
        detail: `group ${full.group}, from ${full.original}: ${full.reason} (npm run dlq -- redrive ${full.topic}, or discard with a reason)`,
        ...(full.key ? (full.topic.startsWith('book.') ? { bookNo: Number(full.key) } : { memberId: full.key }) : {}),
      };
    });
  },
};
