/** The payment module's consumer group: its inbox records and dead letters carry this name. */
export const PAYMENT_GROUP = 'payment';
