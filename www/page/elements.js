// The page's elements (index.html), found once by id.

export function findElements(doc = document) {
  const $ = (id) => doc.getElementById(id);
  return Object.freeze({
    file: $('file'),
    rules: $('rules'),
    rulesState: $('rules-state'),
    policy: $('policy'),
    policyState: $('policy-state'),
    policyResult: $('policy-result'),
    pasteText: $('paste-text'),
    pasteGo: $('paste-go'),
    progress: $('progress'),
    status: $('status'),
    cancel: $('cancel'),
    error: $('error'),
    report: $('report'),
    verdict: $('verdict'),
    summary: $('summary'),
    exports: { json: $('download-json'), markdown: $('download-md'), svg: $('download-svg'), png: $('download-png'), print: $('print') },
    filters: { session: $('filter-session'), state: $('filter-state'), api: $('filter-api'), mode: $('filter-mode') },
    filterClear: $('filter-clear'),
    filterCount: $('filter-count'),
    timeline: $('timeline'),
    callView: $('call-view'),
    callViewTitle: $('call-view-title'),
    callViewBody: $('call-view-body'),
    callViewClose: $('call-view-close'),
    evidence: $('evidence'),
    evidenceMore: $('evidence-more'),
    calls: $('calls').tBodies[0],
    callsMore: $('calls-more'),
    // On narrow screens each calls row becomes a card, and its cells show these labels (style.css).
    callHeadings: [...$('calls').tHead.rows[0].cells].map((cell) => cell.textContent),
    sessionsBlock: $('sessions-block'),
    sessions: $('sessions'),
    sessionsMore: $('sessions-more'),
    diagnosticsBlock: $('diagnostics-block'),
    diagnostics: $('diagnostics'),
    signalGuide: $('signal-guide'),
    theme: $('theme'),
  });
}
