// Who may call the orders API, as OAuth scopes. The orders stack defines the resource server and the methods' scopes
// from these; place-order and get-order check them again. No side effects: the stack imports this file.

/** The identifier of the orders API's resource server in the customers' user pool. */
export const ORDERS_RESOURCE_SERVER = "orders";

/** The scopes a machine client (client-credentials grant) may hold. */
export const ORDERS_SCOPES = {
  /** Read any customer's order (support tools, the storefront's back end). */
  read: `${ORDERS_RESOURCE_SERVER}/read`,
  /** Place orders in any customer's name (the storefront's back end). */
  write: `${ORDERS_RESOURCE_SERVER}/write`,
} as const;

/**
 * The scope every customer's access token carries, from SRP sign-in or the hosted UI: a method that lists it takes
 * customers' access tokens (API Gateway accepts a token holding any one of a method's scopes).
 * https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-the-access-token.html
 */
export const CUSTOMER_SCOPE = "aws.cognito.signin.user.admin";
