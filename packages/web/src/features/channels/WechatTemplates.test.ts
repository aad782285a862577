import { describe, expect, it } from 'vitest';
import { fieldsToText, templatesFromForm, templatesToForm, textToFields } from './WechatTemplates';

describe('WeChat template form helpers', () => {
  it('lines name=text ↔ fields; blank lines and lines without a name are skipped; "=" inside the text kept', () => {
    expect(textToFields('first=请评价\n\n keyword1 = {number} \nnoequals\n=orphan\nremark=a=b')).toEqual({
      first: '请评价',
      keyword1: '{number}',
      remark: 'a=b',
    });
    expect(fieldsToText({ thing1: '{subject}', time2: '{time}' })).toBe('thing1={subject}\ntime2={time}');
  });

  it('only kinds with a template id and at least one field are saved; the form round-trips', () => {
    const saved = templatesFromForm({
      survey_invite: { mode: 'subscribe', templateId: ' SUB_1 ', fields: 'thing1={subject}' },
      visit_reminder: { mode: 'template', templateId: 'TPL_2', fields: '' },
      ticket_update: { templateId: '', fields: 'first=x' },
    });
    expect(saved).toEqual({ survey_invite: { mode: 'subscribe', templateId: 'SUB_1', fields: { thing1: '{subject}' } } });
    const form = templatesToForm(saved);
    expect(form.survey_invite).toEqual({ mode: 'subscribe', templateId: 'SUB_1', fields: 'thing1={subject}' });
    expect(form.visit_reminder).toEqual({ mode: 'template' });
    expect(templatesFromForm(form)).toEqual(saved);
  });
});
