// aws-local-stepfunctions 3.x calls Promise.withResolvers, which Node has only from 22 on; orderflow runs on Node 20
// (Lambda itself runs nodejs22.x). The polyfill follows the TC39 proposal: a promise and its two settling functions.
if (typeof (Promise as { withResolvers?: unknown }).withResolvers !== "function") {
  Object.defineProperty(Promise, "withResolvers", {
    configurable: true,
    writable: true,
    value: function withResolvers<T>() {
      let resolve!: (value: T | PromiseLike<T>) => void;
      let reject!: (reason?: unknown) => void;
      const promise = new Promise<T>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      return { promise, resolve, reject };
    },
  });
}

export {};
