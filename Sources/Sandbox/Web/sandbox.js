// The sandbox's chat page. Everything the bot or a person wrote is put on the page as text
// nodes or attributes built here, never as HTML, so no message can run code.
'use strict';

const view = {
  person: null,
  place: 'private',
  overview: null,
  chat: null,
  shown: { overview: '', chat: '', inspector: '' },
  seenAnswers: null,
  openDetails: new Set(),
  refreshing: false,
  again: false,
};

const $ = (id) => document.getElementById(id);

/** An element with attributes, listeners (`on…`) and children (strings become text). */
function el(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') node.className = value;
    else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child !== undefined && child !== null && child !== false) node.append(child);
  }
  return node;
}

function showError(message) {
  const box = $('error');
  box.textContent = message;
  box.hidden = false;
  clearTimeout(showError.timer);
  showError.timer = setTimeout(() => { box.hidden = true; }, 6000);
}

async function api(method, path, body, contentType) {
  const options = { method, headers: {} };
  if (body !== undefined) {
    options.headers['Content-Type'] = contentType || 'application/json';
    options.body = contentType ? body : JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, options);
  } catch (error) {
    showError('The sandbox does not answer: is bot-gateway sandbox still running?');
    return null;
  }
  const payload = await response.json().catch(() => null);
  if (!response.ok) {
    showError((payload && payload.error && payload.error.message) || `${method} ${path}: ${response.status}`);
    return null;
  }
  return payload;
}

const who = () => ({ person: view.person, place: view.place });
const whoQuery = () => `person=${encodeURIComponent(view.person)}&place=${encodeURIComponent(view.place)}`;

// ---- formatting ----

/** A link target that is safe to open: web, mail and Telegram links only. */
function safeURL(url) {
  try {
    const parsed = new URL(url, window.location.href);
    return ['http:', 'https:', 'mailto:', 'tg:'].includes(parsed.protocol) ? parsed.href : null;
  } catch (error) {
    return null;
  }
}

function entityNode(entity, text) {
  switch (entity.type) {
    case 'bold': return el('b');
    case 'italic': return el('i');
    case 'underline': return el('u');
    case 'strikethrough': return el('s');
    case 'spoiler': return el('span', { class: 'spoiler' });
    case 'code': return el('code');
    case 'pre': return el('pre');
    case 'blockquote': return el('blockquote');
    case 'text_link': {
      const href = safeURL(entity.url || '');
      return href ? el('a', { href, target: '_blank', rel: 'noopener noreferrer' }) : el('span');
    }
    case 'url': {
      const href = safeURL(text.startsWith('http') ? text : `https://${text}`);
      return href ? el('a', { href, target: '_blank', rel: 'noopener noreferrer' }) : el('span');
    }
    case 'bot_command': return el('span', { class: 'command' });
    default: return el('span', { class: `entity-${String(entity.type).replace(/[^a-z_]/g, '')}` });
  }
}

/** Text with Telegram's entities (UTF-16 offsets, as JavaScript strings count) as nested nodes. */
function formatted(text, entities, start = 0, end = text.length) {
  const nodes = [];
  const inside = (entities || [])
    .filter((e) => e.offset >= start && e.offset + e.length <= end && e.length > 0)
    .sort((a, b) => a.offset - b.offset || b.length - a.length);
  let position = start;
  for (const entity of inside) {
    if (entity.offset < position) continue;
    if (entity.offset > position) nodes.push(text.slice(position, entity.offset));
    const stop = entity.offset + entity.length;
    const node = entityNode(entity, text.slice(entity.offset, stop));
    node.append(...formatted(text, inside.filter((e) => e !== entity), entity.offset, stop));
    nodes.push(node);
    position = stop;
  }
  if (position < end) nodes.push(text.slice(position, end));
  return nodes;
}

// ---- the chat ----

function renderMessage(message, chat) {
  const mine = !message.from_bot && message.from && message.from.id === view.person;
  const kind = message.from_bot ? 'bot' : mine ? 'mine' : 'other';
  const bubble = el('div', { class: `bubble ${kind}`, 'data-message-id': message.message_id });
  if (chat.place === 'group' && !mine) {
    bubble.append(el('div', { class: 'author' }, message.from ? message.from.first_name : ''));
  }
  if (message.reply_to_message) {
    const quoted = message.reply_to_message.text || message.reply_to_message.caption || '…';
    bubble.append(el('div', { class: 'quote' }, quoted.slice(0, 120)));
  }
  if (message.photo) {
    bubble.append(message.photo_url
      ? el('img', { class: 'photo', src: message.photo_url, alt: 'photo' })
      : el('div', { class: 'photo placeholder' }, 'photo'));
  }
  if (message.contact) {
    bubble.append(el('div', { class: 'contact' }, `Contact: ${message.contact.first_name || ''} ${message.contact.phone_number}`));
  }
  if (message.location) {
    bubble.append(el('div', { class: 'location' }, `Location: ${message.location.latitude}, ${message.location.longitude}`));
  }
  const text = message.text !== undefined ? message.text : message.caption;
  if (text !== undefined) {
    const entities = message.text !== undefined ? message.entities : message.caption_entities;
    bubble.append(el('div', { class: 'text' }, formatted(text, entities)));
  }
  const time = new Date(message.date * 1000).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  bubble.append(el('div', { class: 'meta' }, message.edit_date ? el('span', { class: 'edited' }, 'edited') : null, time));
  const row = el('div', { class: `message-row ${kind}` }, bubble);
  const keyboard = message.reply_markup && message.reply_markup.inline_keyboard;
  if (keyboard && keyboard.length) {
    const buttons = el('div', { class: 'inline-keyboard' });
    for (const line of keyboard) {
      const lineNode = el('div', { class: 'keyboard-row' });
      for (const button of line) {
        if (button.url) {
          const href = safeURL(button.url);
          lineNode.append(href ? el('a', { class: 'inline-button', href, target: '_blank', rel: 'noopener noreferrer' }, button.text)
            : el('span', { class: 'inline-button' }, button.text));
        } else {
          lineNode.append(el('button', {
            type: 'button',
            class: 'inline-button',
            onclick: () => api('POST', '/api/press', { ...who(), message_id: message.message_id, label: button.text }),
          }, button.text));
        }
      }
      buttons.append(lineNode);
    }
    bubble.append(buttons);
  }
  return row;
}

function renderChat(chat) {
  const box = $('messages');
  const nearBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 80;
  box.replaceChildren(...chat.messages.map((message) => renderMessage(message, chat)));
  if (!chat.messages.length) {
    box.append(el('p', { class: 'empty' }, 'No messages yet. Send /start to begin.'));
  }
  if (nearBottom || !renderChat.scrolled) {
    box.scrollTop = box.scrollHeight;
    renderChat.scrolled = true;
    // A picture takes its height when it loads; stay at the newest message.
    for (const image of box.querySelectorAll('img.photo')) {
      image.addEventListener('load', () => { box.scrollTop = box.scrollHeight; }, { once: true });
    }
  }
  renderReplyKeyboard(chat.keyboard);
  renderCommands(chat.commands);
  showAnswers(chat.answers);
}

function renderReplyKeyboard(keyboard) {
  const box = $('reply-keyboard');
  box.replaceChildren();
  if (!keyboard || !keyboard.keyboard) return;
  for (const line of keyboard.keyboard) {
    const lineNode = el('div', { class: 'keyboard-row' });
    for (const button of line) {
      const label = typeof button === 'string' ? button : button.text;
      let action = () => sendText(label);
      if (button.request_contact) action = shareContact;
      if (button.request_location) action = shareLocation;
      lineNode.append(el('button', { type: 'button', class: 'reply-button', onclick: action }, label));
    }
    box.append(lineNode);
  }
}

function renderCommands(commands) {
  const menu = $('command-menu');
  const username = view.overview ? view.overview.bot.username : '';
  menu.replaceChildren(...(commands || []).map((command) => el('button', {
    type: 'button',
    class: 'command-item',
    onclick: () => {
      menu.hidden = true;
      sendText(view.place === 'group' ? `/${command.command}@${username}` : `/${command.command}`);
    },
  }, el('span', { class: 'command' }, `/${command.command}`), el('span', { class: 'description' }, command.description))));
  if (!commands || !commands.length) menu.append(el('p', { class: 'empty' }, 'The bot set no commands for this chat.'));
}

/** Shows the bot's answers to buttons not seen before: a toast, or a box for show_alert. */
function showAnswers(answers) {
  const fresh = (answers || []).filter((answer) => !view.seenAnswers.has(answer.id));
  for (const answer of fresh) {
    view.seenAnswers.add(answer.id);
    if (!answer.text) continue;
    if (answer.show_alert) {
      $('alert-text').textContent = answer.text;
      $('alert-box').hidden = false;
    } else {
      const toast = el('div', { class: 'toast' }, answer.text);
      $('toasts').append(toast);
      setTimeout(() => toast.remove(), 5000);
    }
  }
}

// ---- people ----

function renderPeople(overview) {
  $('people-list').replaceChildren(...overview.people.map((person) => el('li', {},
    el('button', {
      type: 'button',
      class: `person${person.id === view.person ? ' selected' : ''}`,
      'data-person': person.id,
      onclick: () => select(person.id, view.place),
    }, el('span', { class: 'name' }, person.name), el('span', { class: 'detail' }, `${person.language} · ${person.roles.join(', ')}`)))));
  const person = overview.people.find((p) => p.id === view.person);
  if (!person) return;
  $('person-language').value = person.language;
  if ($('person-language').value !== person.language) {
    $('person-language').append(el('option', { value: person.language }, person.language));
    $('person-language').value = person.language;
  }
  $('person-roles').replaceChildren(...overview.roles.map((role) => el('label', {},
    el('input', {
      type: 'checkbox', value: role, checked: person.roles.includes(role), onchange: changeRoles,
    }), ` ${role}`)));
  const title = view.place === 'group'
    ? `${overview.group.title} — as ${person.name}`
    : `${overview.bot.first_name} (@${overview.bot.username}) — ${person.name}`;
  $('chat-title').textContent = title;
  for (const tab of document.querySelectorAll('#chat-tabs button')) {
    tab.setAttribute('aria-selected', String(tab.dataset.place === view.place));
  }
}

function changeRoles() {
  const roles = [...document.querySelectorAll('#person-roles input:checked')].map((box) => box.value);
  if (!roles.length) {
    showError('A person needs at least one role.');
    refresh(true);
    return;
  }
  api('PATCH', `/api/people/${view.person}`, { roles });
}

function select(person, place) {
  view.person = person;
  view.place = place;
  view.shown = { overview: '', chat: '', inspector: '' };
  renderChat.scrolled = false;
  window.location.hash = `person=${person}&place=${place}`;
  refresh();
}

// ---- the inspector ----

function details(key, summary, ...content) {
  const node = el('details', { 'data-key': key, open: view.openDetails.has(key) }, el('summary', {}, summary), ...content);
  node.addEventListener('toggle', () => {
    if (node.open) view.openDetails.add(key); else view.openDetails.delete(key);
  });
  return node;
}

const json = (value) => el('pre', { class: 'json' }, JSON.stringify(value, null, 2));

function renderInspector(inspector) {
  $('conversation-key').textContent = inspector.conversation_key;
  const conversation = $('conversation');
  conversation.replaceChildren();
  if (inspector.state_error) conversation.append(el('p', { class: 'problem' }, inspector.state_error));
  const state = inspector.state;
  if (!state) {
    conversation.append(el('p', { class: 'empty' }, 'No flow in progress (none started, or the last one ended).'));
  } else {
    conversation.append(
      el('p', {}, 'Flow ', el('b', { id: 'flow-name' }, state.flow), ', version ', el('code', {}, String(state.version))),
      el('ol', { class: 'steps' }, state.steps.map((step) => el('li', {
        class: step === state.step ? 'current' : state.history.includes(step) ? 'done' : '',
        'data-step': step,
      }, step))),
      details('state-data', 'Data', json(state.data)),
      details('state-history', `History (${state.history.length})`, json(state.history)),
    );
  }
  $('services').replaceChildren(...inspector.services.map((service) => el('label', { class: 'service' },
    el('span', {}, service.name, service.circuit !== 'closed'
      ? el('small', { class: 'circuit', title: 'the gateway stops calling a failing service for a while' }, ` circuit ${service.circuit}`)
      : null),
    el('select', {
      'data-service': service.name,
      onchange: (event) => api('PUT', `/api/services/${encodeURIComponent(service.name)}`, { mode: event.target.value }),
    }, ['normal', 'slow', 'failing'].map((mode) => el('option', { value: mode, selected: mode === service.mode }, mode))))));
  $('updates').replaceChildren(...inspector.updates.map((update) => {
    const kind = Object.keys(update).find((key) => key !== 'update_id') || 'update';
    return details(`update-${update.update_id}`, `#${update.update_id} ${kind}`, json(update));
  }));
  if (!inspector.updates.length) $('updates').append(el('p', { class: 'empty' }, 'None yet.'));
  $('bot-api').replaceChildren(...inspector.bot_api.map((call, index) => details(`api-${call.at}-${call.method}-${index}`,
    el('span', { class: `call ${call.status < 300 ? 'ok' : 'failed'}` }, `${call.method} → ${call.status}`, el('small', {}, ` ${call.ms} ms`)),
    call.error ? el('p', { class: 'problem' }, call.error) : null, json(call.parameters))));
  $('downstream').replaceChildren(...inspector.downstream.map((call, index) => details(`svc-${call.at}-${call.uri}-${index}`,
    el('span', { class: `call ${call.status < 300 ? 'ok' : 'failed'}` }, `${call.service}: ${call.method} ${call.uri} → ${call.status}`),
    call.body !== null ? el('div', {}, el('small', {}, 'request'), json(call.body)) : null,
    el('div', {}, el('small', {}, 'answer'), json(call.answer)))));
}

// ---- actions ----

async function sendText(text) {
  if (!text.trim()) return;
  await api('POST', '/api/send', { ...who(), text });
}

function shareContact() {
  api('POST', '/api/contact', who());
}

function shareLocation() {
  // Tashkent, where the UK's buildings are; a real client would ask the device.
  api('POST', '/api/location', { ...who(), latitude: 41.311081, longitude: 69.240562 });
}

async function sendPhoto(file) {
  const caption = $('text').value.trim();
  const query = `${whoQuery()}${caption ? `&caption=${encodeURIComponent(caption)}` : ''}`;
  const sent = await api('POST', `/api/photo?${query}`, file, file.type && file.type.startsWith('image/') ? file.type : 'image/jpeg');
  if (sent) $('text').value = '';
}

// ---- refreshing ----

/** Fetches what the page shows and redraws the parts that changed; one fetch at a time. */
async function refresh(force) {
  if (view.refreshing) {
    view.again = true;
    return;
  }
  view.refreshing = true;
  try {
    const [overview, chat, inspector] = await Promise.all([
      fetch('/api/state').then((r) => r.json()),
      view.person === null ? null : fetch(`/api/chat?${whoQuery()}`).then((r) => (r.ok ? r.json() : null)),
      view.person === null ? null : fetch(`/api/inspector?${whoQuery()}`).then((r) => (r.ok ? r.json() : null)),
    ]);
    view.overview = overview;
    if (view.person === null || !overview.people.some((p) => p.id === view.person)) {
      select(overview.people[0].id, view.place);
      return;
    }
    const texts = { overview: JSON.stringify(overview), chat: JSON.stringify(chat), inspector: JSON.stringify(inspector) };
    if (force || texts.overview !== view.shown.overview) renderPeople(overview);
    if (chat && (force || texts.chat !== view.shown.chat)) {
      if (view.seenAnswers === null) view.seenAnswers = new Set(chat.answers.map((answer) => answer.id));
      view.chat = chat;
      renderChat(chat);
    }
    if (inspector && (force || texts.inspector !== view.shown.inspector)) renderInspector(inspector);
    view.shown = texts;
  } catch (error) {
    showError('The sandbox does not answer: is bot-gateway sandbox still running?');
  } finally {
    view.refreshing = false;
    if (view.again) {
      view.again = false;
      refresh();
    }
  }
}

function start() {
  const hash = new URLSearchParams(window.location.hash.slice(1));
  if (hash.get('person')) view.person = Number(hash.get('person'));
  if (hash.get('place') === 'group') view.place = 'group';

  $('composer').addEventListener('submit', (event) => {
    event.preventDefault();
    const text = $('text').value;
    $('text').value = '';
    sendText(text);
  });
  $('menu-button').addEventListener('click', () => { $('command-menu').hidden = !$('command-menu').hidden; });
  $('contact-button').addEventListener('click', shareContact);
  $('location-button').addEventListener('click', shareLocation);
  $('photo-input').addEventListener('change', (event) => {
    const file = event.target.files[0];
    event.target.value = '';
    if (file) sendPhoto(file);
  });
  $('alert-ok').addEventListener('click', () => { $('alert-box').hidden = true; });
  $('person-language').addEventListener('change', (event) => {
    api('PATCH', `/api/people/${view.person}`, { language: event.target.value });
  });
  for (const tab of document.querySelectorAll('#chat-tabs button')) {
    tab.addEventListener('click', () => select(view.person, tab.dataset.place));
  }
  $('add-person').addEventListener('submit', async (event) => {
    event.preventDefault();
    const form = event.target;
    const roles = [...form.querySelectorAll('input[name=role]:checked')].map((box) => box.value);
    const person = await api('POST', '/api/people', {
      name: form.elements.name.value, language: form.elements.language.value, roles: roles.length ? roles : ['applicant'],
    });
    if (person) {
      form.elements.name.value = '';
      select(person.id, 'private');
    }
  });

  const events = new EventSource('/api/events');
  events.addEventListener('change', () => refresh());
  refresh();
}

document.addEventListener('DOMContentLoaded', start);
