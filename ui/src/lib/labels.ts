// The words the app shows for the core's codes.
import type { Attendance, ClientStatus, Mode, NoteKind, Template } from './bindings';

export const statusLabel: Record<ClientStatus, string> = { enquiry: 'Enquiry', active: 'Active', ended: 'Ended' };
export const kindLabel: Record<NoteKind, string> = {
  session: 'Session note',
  process: 'Process note',
  contact: 'Contact note',
  supervision: 'Supervision note',
  letter: 'Letter',
};
export const templateLabel: Record<Template, string> = { free: 'Free text', soap: 'SOAP', dap: 'DAP', birp: 'BIRP' };
export const modeLabel: Record<Mode, string> = { in_person: 'In person', video: 'Video', phone: 'Phone' };
export const attendanceLabel: Record<Attendance, string> = {
  booked: 'Booked',
  attended: 'Attended',
  cancelled: 'Cancelled',
  did_not_attend: 'Did not attend',
};

const sections: Record<Template, string[]> = {
  free: [],
  soap: ['Subjective', 'Objective', 'Assessment', 'Plan'],
  dap: ['Data', 'Assessment', 'Plan'],
  birp: ['Behaviour', 'Intervention', 'Response', 'Plan'],
};

/** A new note's starting text, the same skeleton as the core's `Template::skeleton`. */
export function skeleton(t: Template): string {
  return sections[t].map((s) => `## ${s}\n\n\n`).join('');
}
