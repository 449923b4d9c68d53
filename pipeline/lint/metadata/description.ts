/**
 * debian/control descriptions that are still a template's placeholder: `pipeline new` writes a
 * long description asking to be replaced, and that text must not reach an archive. An error, so
 * every stage's lint gate blocks the promotion until the description is written.
 */
import { defineCheck } from '../check.js';
import { CONTROL, loadControl } from './control.js';

/** Sentences the templates (debian-templates/control) and common generators leave behind. */
const PLACEHOLDERS = [/Replace this paragraph/i, /\{\{[a-zA-Z]+\}\}/, /^<insert (?:up to 60 chars|long) description/im, /^TODO\b/m];

export const descriptionCheck = defineCheck({
  name: 'debian/control/description',
  tags: [
    {
      name: 'description-is-template-placeholder',
      severity: 'error',
      explanation: 'A binary package\'s Description in debian/control is still the placeholder text of a template (pipeline new, dh_make, debmake). Write what the package does and who needs it before uploading it. (pipeline tag; lintian has description-is-debmake-template for debmake\'s text.)',
    },
  ],
  run(ctx, emit) {
    const doc = loadControl(ctx);
    if (!doc) return;
    for (const p of doc.paragraphs) {
      const pkg = p.get('Package');
      const desc = p.get('Description');
      if (!pkg || !desc) continue;
      const hit = PLACEHOLDERS.find((re) => re.test(desc.value));
      if (hit) emit('description-is-template-placeholder', `${pkg.value}: ${desc.value.split('\n').find((l) => hit.test(l))?.trim() ?? desc.value.split('\n')[0]}`, { file: CONTROL, line: desc.line });
    }
  },
});
