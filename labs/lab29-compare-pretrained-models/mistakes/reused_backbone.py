"""Common mistake (lab 29): each backbone is loaded once and the same copy is fine-tuned for every
seed, so seed 1 starts from the model seed 0 already fine-tuned: the runs are neither independent nor
equal in budget."""
# overrides solution.py: only what differs from the reference solution is below


def compare_models(load_backbone, names, tokenizer, train_texts, train_labels, val_texts, val_labels, test_texts, *,
                   seeds, steps, lr, batch_size, confidence=0.95):
    report = {}
    for name in names:
        backbone = load_backbone(name)                        # loaded once, outside the seed loop
        runs = {"val_predictions": [], "test_predictions": [], "val_accuracy": []}
        for seed in seeds:
            torch.manual_seed(seed)
            classifier = Classifier(backbone, backbone.kind, num_labels=2)
            fine_tune(classifier, tokenizer, train_texts, train_labels, steps=steps, lr=lr, batch_size=batch_size,
                      seed=seed)
            val_predictions = predict(classifier, tokenizer, val_texts)
            runs["val_predictions"].append(val_predictions)
            runs["test_predictions"].append(predict(classifier, tokenizer, test_texts))
            runs["val_accuracy"].append(accuracy(val_predictions, val_labels))
        runs["val_ci"] = list(confidence_interval(runs["val_accuracy"], confidence))
        report[name] = runs
    first, second = names
    report["val_difference_ci"] = list(paired_difference(report[first]["val_accuracy"],
                                                         report[second]["val_accuracy"], confidence))
    return report
