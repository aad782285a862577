/**
 * Steps shared by the field journeys (field-dispatch, field-offline): a customer on the portal signs in with a demo
 * code, reports a repair, and books a 2-hour slot on the request page; then the employee number of a demo technician.
 */

/** Sign in to the portal with a phone number and the demo code shown on the page. */
export async function portalSignIn(page, base, phoneNumber, timeout) {
  await page.goto(`${base}/portal/login`);
  await page.getByTestId('login-phone').fill(phoneNumber);
  await page.getByTestId('login-send-code').tap();
  const code = (await page.getByTestId('demo-code').getAttribute('data-code')) ?? '';
  await page.getByTestId('login-code').fill(code);
  await page.waitForURL(`${base}/portal`, { timeout });
}

/** Report a repair on the portal and open the request page; the ticket id. */
export async function reportRepair(page, { fail, expectVisible }, subject, description) {
  await page.getByTestId('action-repair').tap();
  await page.waitForURL(/\/portal\/new\?type=repair/);
  await page.getByTestId('subject').fill(subject);
  await page.getByTestId('description').fill(description);
  await page.getByTestId('submit').tap();
  await expectVisible(page.getByTestId('submitted'), 'the submitted page');
  const ticketId = page.url().split('/submitted/')[1]?.split(/[?#]/)[0] ?? '';
  if (!ticketId) fail(`no ticket id in ${page.url()}`);
  await page.getByTestId('view-request').tap();
  return ticketId;
}

/**
 * 预约上门 on the request page: optionally pick the day tab whose label contains `dayLabel` (e.g. "12月7日"), tap the
 * `nth` free slot and book it; checks the booked card. Returns the slot's label ("10:00–12:00").
 */
export async function bookSlot(page, { fail, expectVisible, shot }, { nth = 0, dayLabel = null, shotName = null } = {}) {
  const picker = page.getByTestId('slot-picker');
  await expectVisible(picker.getByText('预约上门时间'), 'the slot picker');
  if (dayLabel) {
    const tab = picker.getByTestId('slot-day').filter({ hasText: dayLabel });
    await expectVisible(tab, `the day tab ${String(dayLabel)}`);
    await tab.tap();
  }
  await expectVisible(picker.getByTestId('slot').first(), 'a free slot');
  const slot = picker.getByTestId('slot').nth(nth);
  const label = ((await slot.textContent()) ?? '').trim();
  if (!/^\d{2}:\d{2}–\d{2}:\d{2}$/.test(label)) fail(`slot label "${label}"`);
  await slot.tap();
  await picker.scrollIntoViewIfNeeded();
  if (shotName) await shot(page, shotName, { fullPage: false });
  await picker.getByTestId('book-slot').tap();
  const booked = page.getByTestId('slot-booked');
  await expectVisible(booked.getByText('已预约上门'), 'the booked card');
  await expectVisible(booked.getByText(label.replace('–', ' ').split(' ')[0]), 'the booked time');
  await expectVisible(booked.getByText(/上门技师：/), 'the technician');
  return label;
}

/** The employee number of a demo technician (T0001–T0003) by staff id, from GET /field/technicians. */
export async function technicianNo(session, staffId) {
  const techs = (await session('GET', '/field/technicians')).body.items;
  return {
    [techs.find((x) => x.name.startsWith('杨师傅'))?.id]: 'T0001',
    [techs.find((x) => x.name.startsWith('朱师傅'))?.id]: 'T0002',
    [techs.find((x) => x.name.startsWith('胡师傅'))?.id]: 'T0003',
  }[staffId];
}
