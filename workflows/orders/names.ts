/** The order workflow's names, for clients that do not import the workflow package (the API). */
export const ORDER_WORKFLOW = 'orderProcessing';

/** Its query, update and signal (messages.ts defines them). */
export const ORDER_MESSAGES = { stateQuery: 'orderState', approvalUpdate: 'approval', approvalSignal: 'approvalSignal' } as const;

/** The audit event names of orders started before the one scheme (workflows/lib/audit.ts), by today's name. */
export const ORDER_LEGACY_AUDIT = {
  names: {
    'order.started': 'order.received',
    'order.step-completed:reserveStock': 'inventory.reserved',
    'order.step-completed:validateAddress': 'address.validated',
    'order.step-completed:chargePayment': 'payment.charged',
    'order.step-completed:createShipment': 'shipment.created',
    'order.decision-requested:approval': 'approval.requested',
    'order.decision-taken:approval': 'approval.decided',
    'order.compensation-started': 'order.compensating',
    'order.completed': 'order.completed',
    'order.failed': 'order.failed',
    'order.cancelled': 'order.cancelled',
  },
} as const;
