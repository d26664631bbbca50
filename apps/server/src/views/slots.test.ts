import { describe, expect, it } from 'vitest';
import { html } from './html.ts';
import { slot, SlottedPage, withoutSlotMarkers } from './slots.ts';

describe('slotted pages', () => {
  const rendered =
    '<header>' +
    slot('account', html`<a>Log in</a>`).value +
    '</header><main>' +
    slot('course-session', html`<p>Sign up</p>`).value +
    '</main>';

  it('serves the anonymous content to visitors, and each reader’s own content to them', () => {
    const page = new SlottedPage(rendered);
    expect(page.anonymous.toString()).toBe('<header><a>Log in</a></header><main><p>Sign up</p></main>');
    expect(page.fill({ account: html`<b>Ada</b>` }).toString()).toBe(
      '<header><b>Ada</b></header><main><p>Sign up</p></main>',
    );
    expect(page.fill({ account: html`<b>Bob</b>`, 'course-session': html`<p>Enrolled</p>` }).toString()).toBe(
      '<header><b>Bob</b></header><main><p>Enrolled</p></main>',
    );
    expect(withoutSlotMarkers(rendered)).toBe(page.anonymous.toString());
  });

  it('cannot be fooled by course content that imitates a marker (the nonce is secret)', () => {
    const forged = '\uE010deadbeef:account\uE011<script>x</script>\uE010deadbeef:/\uE011';
    const page = new SlottedPage(
      html`<main>${forged}</main>
        ${slot('account', html`<a>Log in</a>`)}`.value,
    );
    expect(page.fill({ account: html`<b>Ada</b>` }).toString()).toContain('&lt;script&gt;');
    expect(page.fill({ account: html`<b>Ada</b>` }).toString()).toContain('<b>Ada</b>');
  });
});

describe('keyed slots', () => {
  it('fill each occurrence from its key, and keep the anonymous content where the function has none', () => {
    const rendered = html`<ol>
      ${['w1/a', 'w1/b é', 'w2/c'].map((route) => html`<li>${route}${slot('item-status', html`<i>?</i>`, route)}</li>`)}
    </ol>`.value;
    const page = new SlottedPage(rendered);
    expect(page.anonymous.toString()).not.toContain('\uE010');
    expect((page.anonymous.toString().match(/<i>\?<\/i>/g) ?? []).length).toBe(3);
    const states = new Map([
      ['w1/a', 'done'],
      ['w1/b é', 'started'],
    ]);
    const filled = page
      .fill({ 'item-status': (route) => (states.has(route) ? html`<b>${states.get(route)!}</b>` : undefined) })
      .toString();
    expect(filled).toContain('<li>w1/a<b>done</b></li>');
    expect(filled).toContain('<li>w1/b é<b>started</b></li>');
    expect(filled).toContain('<li>w2/c<i>?</i></li>');
  });
});
