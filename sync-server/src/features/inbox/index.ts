/** The face of the inbox feature: what the rest of the server may use of it. */
export { assignableAccounts, assignThread, cleanText, INBOX_GROUND, listInbox, markRepliesSeen, MAX_REPLY_CHARS, openThread, readInboxAttachment, repliesForPerson, replyInThread, unreadCount } from './inbox.ts';
export type { AssignOutcome, InboxAttachment, InboxFile, InboxFileOutcome, InboxFilter, InboxMessage, InboxRow, InboxThread, InboxViewer, PersonReply, ReplyOutcome } from './inbox.ts';
