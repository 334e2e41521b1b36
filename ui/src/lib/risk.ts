// Words for the risk records: domain names, what was found, the safety plan's sections as the
// practitioner sees them, capacity outcomes, and a review date in words (never colour alone).

import type { CapacityOutcome, DomainStatus, RiskDomain, SafetyPlanContent } from './bindings';
import { formatDay } from './dates';

export const domainLabel: Record<RiskDomain, string> = {
  suicide: 'Suicide',
  self_harm: 'Self-harm',
  harm_to_others: 'Harm to others',
  harm_from_others: 'Harm from others and safeguarding',
  substance_use: 'Substance use',
  self_neglect: 'Self-neglect',
};

export const domainStatusLabel: Record<DomainStatus, string> = {
  not_assessed: 'Not assessed',
  no_concerns: 'No concerns',
  concerns: 'Concerns',
};

export const planSections: { key: keyof SafetyPlanContent; label: string; hint: string }[] = [
  { key: 'warning_signs', label: 'Warning signs', hint: 'Thoughts, feelings and situations that tell the client a crisis may be starting' },
  { key: 'things_i_can_do', label: 'Things I can do', hint: 'What the client can do on their own to feel calmer' },
  { key: 'people_and_places', label: 'People and places that help', hint: 'People to be with and places to go to take their mind off things' },
  { key: 'people_to_ask', label: 'People I can ask for help', hint: 'Names and phone numbers' },
  { key: 'crisis_contacts', label: 'Professionals and crisis lines', hint: 'Filled in with the UK’s free lines; add the GP, the therapist, a local crisis team' },
  { key: 'environment_safer', label: 'Making my environment safer', hint: 'Agreed steps to make the surroundings safer' },
  { key: 'reasons_for_living', label: 'Reasons for living', hint: 'In the client’s own words' },
];

export const outcomeLabel: Record<CapacityOutcome, string> = {
  has_capacity: 'Has capacity for this decision',
  lacks_capacity: 'Lacks capacity for this decision',
};

/** "Review by 17 March 2026 (in 14 days)", or "Review overdue: it was due on 3 March 2026 (5 days ago)". */
export function reviewInWords(reviewOn: string, inDays: number): string {
  const day = formatDay(reviewOn);
  if (inDays < 0) {
    const ago = -inDays === 1 ? '1 day ago' : `${-inDays} days ago`;
    return `Review overdue: it was due on ${day} (${ago})`;
  }
  if (inDays === 0) return `Review due today, ${day}`;
  return `Review by ${day} (in ${inDays === 1 ? '1 day' : `${inDays} days`})`;
}
