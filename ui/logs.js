// One call log: the facts of the call, and its transcript as a conversation with each answer's
// latency as bars.
import { h, clear, heading, timeEl, duration, badge } from './util.js';
import { get } from './api.js';

const STAGES = [
  ['sttFinalMs', 'Speech recognised'],
  ['llmFirstTokenMs', 'Model\'s first words'],
  ['ttsFirstAudioMs', 'First audio'],
  ['voiceToVoiceMs', 'Voice to voice'],
];

function latency(turn, scale) {
  const l = turn.latency;
  if (!l || STAGES.every(([k]) => l[k] == null)) return null;
  return [h('p', { class: 'hint latency-title' }, 'Latency from the end of the callee\'s speech'), h('dl', { class: 'latency' },
    STAGES.map(([k, label]) => {
      const bar = h('span', { class: `bar ${k}`, 'aria-hidden': 'true' });
      if (l[k] != null) bar.style.width = `${Math.max(1, Math.min(100, (l[k] / scale) * 100))}%`;  // CSSOM: allowed by the CSP
      return h('div', { class: 'stage' },
        h('dt', null, label),
        h('dd', null, h('span', { class: 'track' }, bar), h('span', { class: 'ms' }, l[k] == null ? '—' : `${l[k]} ms`)));
    }))];
}

export async function detail({ main, id, signal }) {
  const log = await get(`/api/call-logs/${encodeURIComponent(id)}`, { signal });
  const turns = log.transcript || [];
  const most = Math.max(1000, ...turns.flatMap((t) => STAGES.map(([k]) => t.latency?.[k] ?? 0)));
  const e = log.engines;
  clear(main, heading('Call log'),
    log.scheduledCallId && h('p', null, h('a', { href: `#/calls/${encodeURIComponent(log.scheduledCallId)}` }, 'The scheduled call')),
    h('dl', { class: 'summary' },
      h('dt', null, 'To'), h('dd', { class: 'num' }, log.to || '—'),
      h('dt', null, 'From'), h('dd', { class: 'num' }, log.from || '—'),
      h('dt', null, 'Status'), h('dd', null, badge(log.status)),
      h('dt', null, 'Answered by'), h('dd', null, log.answeredBy || '—'),
      h('dt', null, 'Started'), h('dd', null, timeEl(log.startedAt, true)),
      h('dt', null, 'Answered'), h('dd', null, timeEl(log.answeredAt, true)),
      h('dt', null, 'Ended'), h('dd', null, timeEl(log.endedAt, true)),
      h('dt', null, 'Duration'), h('dd', null, log.duration != null ? duration(log.duration) : '—'),
      h('dt', null, 'Engines'), h('dd', null, e ? `model ${e.llm || '—'}, recogniser ${e.stt || '—'}, voice ${e.tts || '—'}` : '—')),
    h('h2', null, 'Transcript'),
    turns.length ? h('ol', { class: 'chat' }, turns.map((t) => h('li', { class: `turn ${t.role === 'agent' ? 'agent' : 'callee'}` },
      h('p', { class: 'who' }, h('strong', null, t.role === 'agent' ? 'Agent' : 'Callee'), ' ', timeEl(t.startedAt, true),
        t.interrupted && h('span', { class: 'badge s-interrupted' }, 'interrupted'),
        t.backchannel && h('span', { class: 'badge s-backchannel' }, 'backchannel')),
      h('p', { class: 'said' }, t.text == null ? h('em', null, 'Text hidden: your token lacks the transcripts scope.') : t.text || h('em', null, '(nothing)')),
      t.interrupted && t.role === 'agent' && h('p', { class: 'hint' }, 'The callee interrupted: only the words heard are kept.'),
      latency(t, most))))
      : h('p', null, 'No transcript.'));
}
