/*
 * One request's page: /request.html?id=0x… (and ?refresh=ms like the dashboard).
 * Polls GET /v1/requests/{id} and updates the fields and the timeline in place; a request the indexer has not
 * seen yet (404) is polled for until it appears.
 */
'use strict';

(() => {
  const { el, byTestId: tid, setText, setAmount } = PM;
  const refresh = PM.refreshMs();
  const id = (PM.params.get('id') || '').trim();
  let lastOk = null;

  if (!id) {
    PM.showStatus('No request id given: open this page as /request.html?id=0x… (links on the dashboard do).');
    return;
  }
  document.title = `Request ${PM.shortHex(id, 10, 6)} · Prover Market`;
  setText(tid('request-id'), id, false); // replaced by the API's own spelling once loaded

  // ---------- Request fields ----------

  /** A unix time as local date-time text, with the raw seconds in data-value. */
  function setTime(node, unix, since) {
    node.dataset.value = unix === null || unix === undefined ? '' : String(unix);
    let text = PM.fmtUnix(unix);
    if (unix !== null && unix !== undefined && since !== undefined && since !== null && unix >= since) {
      text += ` (+${PM.fmtDuration(unix - since)})`;
    }
    setText(node, text);
  }

  function renderRequest(r) {
    setText(tid('request-id'), r.requestId);
    document.title = `Request ${PM.shortHex(r.requestId, 10, 6)} · ${r.status} · Prover Market`;

    const status = tid('request-status');
    setText(status, r.status);
    status.className = `badge st-${PM.cssSafe(r.status) || 'x'}`;
    setText(tid('request-mode'), r.mode);

    setText(tid('request-prover'), r.prover || '—');
    setAmount(tid('request-fee'), r.fee);
    setAmount(tid('request-max-fee'), r.maxFee);
    setAmount(tid('request-reserve-fee'), r.reserveFee);
    setAmount(tid('request-collateral'), r.collateral);
    setText(tid('request-delivered-latency'), PM.numText(r.deliveredLatency));
    setText(tid('request-promised-latency'), PM.numText(r.promisedLatency));
    setText(tid('request-requester'), r.requester || '—');
    setText(tid('request-circuit'), PM.numText(r.circuitId));
    setText(tid('request-slash-count'), PM.numText(r.slashCount));
    setTime(tid('request-submitted-at'), r.submittedAt);
    setText(tid('request-submitted-block'), PM.numText(r.submittedBlock));
    setTime(tid('request-assigned-at'), r.assignedAt, r.submittedAt);
    setTime(tid('request-fulfilled-at'), r.fulfilledAt, r.submittedAt);
  }

  // ---------- Timeline ----------

  // Dot colour of an event: how it went for the request.
  const EVENT_CLASS = {
    RequestFulfilled: 'ev-good', AuctionSettled: 'ev-good', RequestAssigned: 'ev-good', RequestMatched: 'ev-good',
    ProverSlashed: 'ev-bad', Slashed: 'ev-bad', BondForfeited: 'ev-bad', RequestExpired: 'ev-bad',
    RequestCancelled: 'ev-warn', MatchDeclined: 'ev-warn', SecondaryOpened: 'ev-warn',
    BidCommitted: 'ev-minor', BidRevealed: 'ev-minor', BondReleased: 'ev-minor', CollateralReserved: 'ev-minor',
    CollateralReleased: 'ev-minor', Locked: 'ev-minor', Unlocked: 'ev-minor', ProofCommitted: 'ev-minor',
  };

  // Event fields that hold wei amounts: shown in ETH (the wei in the tooltip).
  const AMOUNT_FIELD = /fee|amount|bounty|refund|collateral|bond|reward|price|payout|value/i;

  // Event fields that hold unix times (deadlines, activation times): shown as dates (the seconds in the tooltip).
  const TIME_FIELD = /deadline|At$|^timestamp$/;

  /** Text of one field of an event's data (and a tooltip with the raw value where the text is converted). */
  function fieldText(key, value) {
    if (value === null || value === undefined) return { text: '—' };
    if (typeof value === 'object') return { text: JSON.stringify(value) };
    const s = String(value);
    if (AMOUNT_FIELD.test(key) && /^\d+$/.test(s)) return { text: PM.formatEth(s), title: `${s} wei` };
    // A plausible unix time (after 2001, before 2286): a date; anything else (a block number, say) stays as is.
    if (TIME_FIELD.test(key) && /^\d{10}$/.test(s)) return { text: PM.fmtUnix(Number(s)), title: `${s} (unix seconds)` };
    return { text: s };
  }

  function renderTimeline(history, submittedAt) {
    const list = document.getElementById('timeline');
    const first = history.length ? history[0].timestamp : submittedAt;
    setText(tid('timeline-count'), String(history.length), false);
    PM.reconcile(
      list,
      history,
      (h) => `${h.block}:${h.logIndex}:${h.txHash}`, // a log's identity (a reorg changes the tx or the block)
      (h) => {
        const data = el('dl', { className: 'tl-data' });
        for (const [k, v] of Object.entries(h.data || {})) {
          const { text, title } = fieldText(k, v);
          data.append(el('dt', { text: k }), el('dd', { text, title }));
        }
        return el('li', { testid: 'timeline-item', className: EVENT_CLASS[h.event] || '', dataset: { event: h.event } },
          el('div', { className: 'tl-head' },
            el('span', { className: 'tl-event', text: h.event }),
            el('span', { className: 'tl-contract', text: h.contract })),
          el('div', { className: 'tl-meta' },
            el('span', { className: 'tl-time' }),
            el('span', { text: `block ${h.block} · log ${h.logIndex}` }),
            h.txHash ? el('span', {}, 'tx ', el('span', { className: 'mono', title: h.txHash, text: PM.shortHex(h.txHash, 10, 6) })) : null),
          data.childElementCount ? data : null);
      },
      (li, h) => {
        const rel = first !== undefined && first !== null && h.timestamp > first ? ` · +${PM.fmtDuration(h.timestamp - first)}` : '';
        setText(li.querySelector('.tl-time'), `${PM.fmtUnix(h.timestamp)}${rel}`, false);
      });
    if (!history.length) list.append(el('li', { className: 'ev-minor', text: 'No events indexed yet.' }));
  }

  // ---------- Polling ----------

  async function pollOnce() {
    try {
      const body = await PM.getJson(`/v1/requests/${encodeURIComponent(id)}`, Math.max(5000, refresh * 2));
      renderRequest(body.request);
      renderTimeline(body.history || [], body.request.submittedAt);
      lastOk = new Date();
      const stamp = tid('last-update');
      stamp.dataset.value = String(Math.floor(lastOk.getTime() / 1000));
      setText(stamp, PM.fmtTime(lastOk), false);
      PM.showStatus(null);
    } catch (e) {
      if (!(e instanceof PM.ApiError)) throw e; // a rendering bug: logged by the poller
      const retry = refresh ? ` Checking again every ${refresh / 1000} s.` : '';
      if (e.status === 404) {
        PM.showStatus(`The indexer does not know this request (yet): ${e.message}.${retry}`, 'info');
      } else if (e.status === 400) {
        PM.showStatus(`Not a valid request id: ${e.message}.`);
      } else {
        const shown = lastOk ? `showing data from ${PM.fmtTime(lastOk)}` : 'no data yet';
        PM.showStatus(`The API is unreachable (GET /v1/requests/{id}: ${e.message}) — ${shown}.${retry}`);
      }
    }
  }

  PM.startPolling(pollOnce, refresh);
})();
